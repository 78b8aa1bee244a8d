"""ecsta: CTI middleware for Panasonic PBXs (CSTA multiplexer, TAPI-style driver, simulator)."""

__version__ = "0.1.0"
