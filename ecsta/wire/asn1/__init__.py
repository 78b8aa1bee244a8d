"""pyasn1 specifications of the ACSE, ROSE, CSTA (ECMA-285) and Panasonic KME types."""
