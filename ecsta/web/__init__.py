"""The web consoles of the multiplexer and the driver: static pages, logins and sessions."""
