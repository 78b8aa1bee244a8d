"""The TAPI-style driver: CSTA devices and events as TAPI line devices, addresses and calls.

The WebSocket event stream is served with ``twisted.web.websocket`` (on wsproto, a dependency
of ecsta), installed in the development environment.
"""
