"""Twisted side of one CSTA association: the protocol and PBX connection management."""
