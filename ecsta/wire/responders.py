"""Which method answers which inbound CSTA operation, declared on the method itself.

In the spirit of AMP's ``@Command.responder``: a class makes one :class:`Responders` table and
decorates each handler with the operations it answers, so that what a protocol serves is read
where it is served, not in an if-chain or a dict kept apart from the methods. The mux router,
the driver's and ``ecsta watch``'s links and the simulator's server all bind their operations
this way; each decides what a handler is given (the router passes the PDU and its application,
the links the decoded argument), the table only binds. Binding an operation twice is an error
when the class is defined, so one handler can never silently replace another.
"""

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from ecsta.wire.opcodes import Opcode

H = TypeVar("H", bound=Callable[..., Any])


class Responders(Generic[H]):
    """opcode -> handler, filled by decorating handlers: ``@responders(Opcode.monitorStop)``."""

    def __init__(self) -> None:
        self._table: dict[int | None, H] = {}
        #: The handler of an opcode (a peeked opcode, None when the PDU had none), or None:
        #: the table's own lookup, as a router asks it for every request.
        self.get: Callable[[int | None], H | None] = self._table.get

    def __call__(self, *opcodes: Opcode) -> Callable[[H], H]:
        """Bind the decorated handler to ``opcodes``; the handler itself is left as it is."""
        if not opcodes:
            raise TypeError("a responder answers at least one operation")

        def bind(handler: H) -> H:
            for opcode in opcodes:
                bound = self._table.get(opcode)
                if bound is not None:
                    raise ValueError(
                        f"{opcode.name} is answered by {bound.__name__} already, "
                        f"not also by {handler.__name__}"
                    )
            self._table.update(dict.fromkeys(opcodes, handler))
            return handler

        return bind
