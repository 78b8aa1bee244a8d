"""Client endpoint strings for links to a PBX or a multiplexer, with TLS that verifies the peer.

Twisted's ``ssl:`` client endpoint encrypts without checking who answers; its ``tls:`` endpoint
checks the certificate chain and the host name (service_identity). A link that carries a login
must not go to an unverified peer, so ``ssl:`` is refused here with a message that names the
right form, rather than silently accepted.
"""

from OpenSSL import SSL, crypto
from twisted.internet.endpoints import clientFromString
from twisted.internet.interfaces import IStreamClientEndpoint

ALLOWED = ("tcp", "tls", "unix")


class EndpointError(ValueError):
    """An endpoint description that cannot be used for a CSTA link."""


def client_endpoint(reactor: object, description: str) -> IStreamClientEndpoint:
    """Parse ``description`` (``tcp:host=pbx:port=33333``, ``tls:host=mux:port=33334``, ...).

    ``tls:`` verifies the server's certificate against the system's trust store, or against the
    PEM files in ``trustRoots=DIR``, and the certificate's names against ``host``.
    """
    kind = description.split(":", 1)[0].strip().lower()
    if kind == "ssl":
        raise EndpointError(
            f"{description!r}: 'ssl:' client endpoints do not verify the server's certificate; "
            "use 'tls:host=NAME:port=N' (add 'trustRoots=DIR' for a private CA)"
        )
    if kind not in ALLOWED:
        raise EndpointError(
            f"{description!r}: expected one of {', '.join(k + ':' for k in ALLOWED)} "
            "followed by host=NAME:port=N"
        )
    try:
        return clientFromString(reactor, description)
    except (ValueError, TypeError, KeyError) as error:
        raise EndpointError(f"{description!r}: {error}") from error
    except OSError as error:  # trustRoots=DIR (UnlistableError wraps the cause), certificate=
        cause = getattr(error, "originalException", error)
        raise EndpointError(f"{description!r}: {cause.strerror}: {cause.filename}") from error
    except (crypto.Error, SSL.Error) as error:  # a file that holds no PEM certificate or key
        raise EndpointError(f"{description!r}: not a PEM certificate or key: {error}") from error
