"""Sans-IO CSTA wire layer: framing, fast BER access, ACSE, ROSE, CSTA and KME types.

Nothing here imports Twisted; everything takes bytes and returns bytes or plain values.
"""
