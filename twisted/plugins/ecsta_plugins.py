"""twistd plugins of ecsta: ``twistd -n ecsta-pbxsim`` and the others, each a ServiceMaker."""

from ecsta.daemon.startup import DaemonMaker

ecsta_pbxsim = DaemonMaker(
    "ecsta Panasonic PBX simulator",
    "ecsta.sim.tap",
    "A Panasonic-flavoured CSTA Phase III switch with an HTTP control API",
    "ecsta-pbxsim",
)

ecsta_driver = DaemonMaker(
    "ecsta TAPI-style driver",
    "ecsta.driver.tap",
    "TAPI line devices, addresses and calls over HTTP and WebSocket, on a PBX or a mux",
    "ecsta-driver",
)

ecsta_mux = DaemonMaker(
    "ecsta CSTA multiplexer",
    "ecsta.mux.tap",
    "Lets up to 1000 CSTA applications share a Panasonic PBX's one CSTA association",
    "ecsta-mux",
)
