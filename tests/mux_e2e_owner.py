"""A CDR owner of its own process, for the end-to-end test that kills one mid-stream.

Run as ``python -m tests.mux_e2e_owner PORT``: associates with the multiplexer on PORT, starts CDR
transmission, answers every cDRReport and prints one line per record it acknowledged.
"""

import sys
from typing import Any

from twisted.internet import reactor as _reactor
from twisted.internet.endpoints import TCP4ClientEndpoint
from twisted.internet.protocol import Factory

from ecsta.link.protocol import CSTAClientProtocol
from ecsta.wire import apdu, ber
from ecsta.wire.opcodes import Opcode

reactor: Any = _reactor


class Owner(CSTAClientProtocol):
    def invokeReceived(self, pdu: bytes, peek: ber.Peek) -> None:
        if peek.opcode == Opcode.cDRReport:
            assert peek.invoke_id is not None
            self.send_pdu(
                apdu.encode(apdu.ReturnResult(peek.invoke_id, Opcode.cDRReport, ("noData", None)))
            )
            print("acknowledged", peek.invoke_id, flush=True)

    def connectionLost(self, reason: Any = None) -> None:
        super().connectionLost(reason)
        if reactor.running:
            reactor.stop()


def main(port: int) -> None:
    factory = Factory.forProtocol(lambda: Owner(reactor, watchdog=None))
    d: Any = TCP4ClientEndpoint(reactor, "127.0.0.1", port).connect(factory)
    d.addCallback(lambda owner: owner.ready)
    d.addCallback(
        lambda owner: owner.invoke("startCDRTransmission", {"transferMode": "transferAtEndOfCall"})
    )
    d.addCallback(lambda result: print("started", result, flush=True))
    d.addErrback(
        lambda failure: (print("failed", failure.getErrorMessage(), flush=True), reactor.stop())
    )
    reactor.run()


if __name__ == "__main__":
    main(int(sys.argv[1]))
