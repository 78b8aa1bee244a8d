"""Call and connection identifiers and connection states (ECMA-285 modules
CSTA-call-connection-identifiers and CSTA-connection-states).
"""

from pyasn1.type import namedtype, namedval, tag, univ

from ecsta.wire.asn1.device import DeviceID
from ecsta.wire.asn1.media import ConnectionInformation


class CallID(univ.OctetString):
    pass


class LocalDeviceID(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("staticID", DeviceID()),
        namedtype.NamedType(
            "dynamicID",
            univ.OctetString().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
    )


class ConnectionID(univ.Choice):
    """A party of a call.

    Panasonic events use the ``both`` form: {callID, deviceID staticID DeviceID}.
    """

    tagSet = univ.Choice.tagSet.tagExplicitly(
        tag.Tag(tag.tagClassApplication, tag.tagFormatConstructed, 11)
    )
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "callID",
            CallID().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)),
        ),
        namedtype.NamedType(
            "deviceID",
            LocalDeviceID().subtype(
                explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.NamedType(
            "both",
            univ.Sequence(
                componentType=namedtype.NamedTypes(
                    namedtype.NamedType(
                        "callID",
                        CallID().subtype(
                            implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
                        ),
                    ),
                    namedtype.NamedType(
                        "deviceID",
                        LocalDeviceID().subtype(
                            explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
                        ),
                    ),
                )
            ),
        ),
    )


class ConnectionList(univ.SequenceOf):
    """The connections that result from a transfer or a conference.

    ``newConnection`` and ``oldConnection`` are EXPLICIT (the module's default tagging), although
    they read like the IMPLICIT tags around them.
    """

    componentType = univ.Sequence(
        componentType=namedtype.NamedTypes(
            namedtype.OptionalNamedType(
                "newConnection",
                ConnectionID().subtype(
                    explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
                ),
            ),
            namedtype.OptionalNamedType(
                "oldConnection",
                ConnectionID().subtype(
                    explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
                ),
            ),
            namedtype.OptionalNamedType(
                "endpoint",
                univ.Choice(
                    componentType=namedtype.NamedTypes(
                        namedtype.NamedType("deviceID", DeviceID()),
                        namedtype.NamedType("notKnown", univ.Null()),
                        namedtype.NamedType(
                            "restricted",
                            univ.Null().subtype(
                                explicitTag=tag.Tag(
                                    tag.tagClassContext, tag.tagFormatConstructed, 1
                                )
                            ),
                        ),
                    )
                ).subtype(explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)),
            ),
            namedtype.OptionalNamedType(
                "associatedNID",
                univ.Choice(
                    componentType=namedtype.NamedTypes(
                        namedtype.NamedType("deviceID", DeviceID()),
                        namedtype.NamedType("notKnown", univ.Null()),
                    )
                ).subtype(explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)),
            ),
            namedtype.OptionalNamedType("resultingConnectionInfo", ConnectionInformation()),
        )
    )


class LocalConnectionState(univ.Enumerated):
    """The state of the monitored device's own connection."""

    tagSet = univ.Enumerated.tagSet.tagImplicitly(
        tag.Tag(tag.tagClassApplication, tag.tagFormatSimple, 14)
    )
    namedValues = namedval.NamedValues(
        ("null", 0),
        ("initiated", 1),
        ("alerting", 2),
        ("connected", 3),
        ("hold", 4),
        ("queued", 5),
        ("fail", 6),
    )
