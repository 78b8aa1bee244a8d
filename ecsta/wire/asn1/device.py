"""Device identifiers (ECMA-285 module CSTA-device-identifiers).

Also the device category enumerations of CSTA-capability-exchange (``DeviceCategory``,
``NamedDeviceTypes``): that module is mostly capability bit maps, and these two are the only
parts the services use.
"""

from pyasn1.type import char, namedtype, namedval, tag, univ

from ecsta.wire.asn1.media import MediaCallCharacteristics


class PublicTON(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "unknown",
            char.IA5String().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.NamedType(
            "international",
            char.IA5String().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.NamedType(
            "national",
            char.IA5String().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.NamedType(
            "networkspecific",
            char.IA5String().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.NamedType(
            "subscriber",
            char.IA5String().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 4)
            ),
        ),
        namedtype.NamedType(
            "abbreviated",
            char.IA5String().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 5)
            ),
        ),
    )


class PrivateTON(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "unknown",
            char.IA5String().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.NamedType(
            "level3RegionalNumber",
            char.IA5String().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.NamedType(
            "level2RegionalNumber",
            char.IA5String().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.NamedType(
            "level1RegionalNumber",
            char.IA5String().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)
            ),
        ),
        namedtype.NamedType(
            "pTNSpecificNumber",
            char.IA5String().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 4)
            ),
        ),
        namedtype.NamedType(
            "localNumber",
            char.IA5String().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 5)
            ),
        ),
        namedtype.NamedType(
            "abbreviated",
            char.IA5String().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 6)
            ),
        ),
    )


class OtherPlan(univ.OctetString):
    pass


class NumberDigits(char.IA5String):
    pass


class DeviceNumber(univ.Integer):
    pass


class DeviceID(univ.Sequence):
    """How CSTA names a device.

    Panasonic uses ``dialingNumber`` ("101") or ``deviceNumber``, whose top 16 bits are a device
    class (0x0111 wired extension, 0x0121 DECT portable, 0x0131 CO trunk, 0x0155 DISA) and whose
    low 16 bits an index; events may name the same device either way.
    """

    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "deviceIdentifier",
            univ.Choice(
                componentType=namedtype.NamedTypes(
                    namedtype.NamedType(
                        "dialingNumber",
                        NumberDigits().subtype(
                            implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
                        ),
                    ),
                    namedtype.NamedType(
                        "deviceNumber",
                        DeviceNumber().subtype(
                            implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
                        ),
                    ),
                    namedtype.NamedType(
                        "implicitPublic",
                        NumberDigits().subtype(
                            implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
                        ),
                    ),
                    namedtype.NamedType(
                        "explicitPublic",
                        PublicTON().subtype(
                            explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 3)
                        ),
                    ),
                    namedtype.NamedType(
                        "implicitPrivate",
                        NumberDigits().subtype(
                            implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 4)
                        ),
                    ),
                    namedtype.NamedType(
                        "explicitPrivate",
                        PrivateTON().subtype(
                            explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 5)
                        ),
                    ),
                    namedtype.NamedType(
                        "other",
                        OtherPlan().subtype(
                            implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 6)
                        ),
                    ),
                )
            ),
        ),
        namedtype.OptionalNamedType(
            "privateNumber",
            NumberDigits().subtype(
                explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "privateName",
            char.IA5String().subtype(
                explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 1)
            ),
        ),
        namedtype.OptionalNamedType("mediaCallCharacteristics", MediaCallCharacteristics()),
    )


class CallingDeviceID(univ.Choice):
    tagSet = univ.Choice.tagSet.tagExplicitly(
        tag.Tag(tag.tagClassApplication, tag.tagFormatConstructed, 1)
    )
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("deviceIdentifier", DeviceID()),
        namedtype.NamedType(
            "notKnown",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)),
        ),
        namedtype.NamedType(
            "restricted",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)),
        ),
    )


class CalledDeviceID(univ.Choice):
    tagSet = univ.Choice.tagSet.tagExplicitly(
        tag.Tag(tag.tagClassApplication, tag.tagFormatConstructed, 2)
    )
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("deviceIdentifier", DeviceID()),
        namedtype.NamedType(
            "notKnown",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)),
        ),
        namedtype.NamedType(
            "restricted",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)),
        ),
    )


class SubjectDeviceID(univ.Choice):
    tagSet = univ.Choice.tagSet.tagExplicitly(
        tag.Tag(tag.tagClassApplication, tag.tagFormatConstructed, 3)
    )
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("deviceIdentifier", DeviceID()),
        namedtype.NamedType(
            "notKnown",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)),
        ),
        namedtype.NamedType(
            "restricted",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)),
        ),
    )


class RedirectionDeviceID(univ.Choice):
    tagSet = univ.Choice.tagSet.tagExplicitly(
        tag.Tag(tag.tagClassApplication, tag.tagFormatConstructed, 4)
    )
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("numberdialed", DeviceID()),
        namedtype.NamedType(
            "notKnown",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)),
        ),
        namedtype.NamedType(
            "notRequired",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)),
        ),
        namedtype.NamedType(
            "notSpecified",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 9)),
        ),
        namedtype.NamedType(
            "restricted",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 10)),
        ),
    )


class AssociatedCallingDeviceID(univ.Choice):
    tagSet = univ.Choice.tagSet.tagExplicitly(
        tag.Tag(tag.tagClassApplication, tag.tagFormatConstructed, 5)
    )
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("deviceIdentifier", DeviceID()),
        namedtype.NamedType(
            "notKnown",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)),
        ),
        namedtype.NamedType(
            "restricted",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)),
        ),
    )


class AssociatedCalledDeviceID(univ.Choice):
    tagSet = univ.Choice.tagSet.tagExplicitly(
        tag.Tag(tag.tagClassApplication, tag.tagFormatConstructed, 6)
    )
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("deviceIdentifier", DeviceID()),
        namedtype.NamedType(
            "notKnown",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)),
        ),
        namedtype.NamedType(
            "restricted",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)),
        ),
    )


class NetworkCallingDeviceID(univ.Choice):
    tagSet = univ.Choice.tagSet.tagExplicitly(
        tag.Tag(tag.tagClassApplication, tag.tagFormatConstructed, 7)
    )
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("deviceIdentifier", DeviceID()),
        namedtype.NamedType(
            "notKnown",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)),
        ),
        namedtype.NamedType(
            "restricted",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)),
        ),
    )


class NetworkCalledDeviceID(univ.Choice):
    tagSet = univ.Choice.tagSet.tagExplicitly(
        tag.Tag(tag.tagClassApplication, tag.tagFormatConstructed, 8)
    )
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("deviceIdentifier", DeviceID()),
        namedtype.NamedType(
            "notKnown",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 7)),
        ),
        namedtype.NamedType(
            "restricted",
            univ.Null().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 8)),
        ),
    )


class DeviceCategory(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("acd", 0),
        ("group", 1),
        ("networkInterface", 2),
        ("park", 3),
        ("routeingDevice", 4),
        ("station", 5),
        ("voiceUnit", 6),
        ("genericInteractiveVoice", 8),
        ("listenerInteractiveVoice", 9),
        ("dtmfInteractiveVoice", 10),
        ("promptInteractiveVoice", 11),
        ("promptQueueInteractiveVoice", 12),
        ("messageInteractiveVoice", 13),
        ("conference", 14),
        ("other", 7),
    )


class NamedDeviceTypes(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("acd", 0),
        ("acdGroup", 1),
        ("button", 2),
        ("buttonGroup", 3),
        ("conferenceBridge", 4),
        ("line", 5),
        ("lineGroup", 6),
        ("operator", 7),
        ("operatorGroup", 8),
        ("parkingDevice", 9),
        ("station", 10),
        ("stationGroup", 11),
        ("trunk", 12),
        ("trunkGroup", 13),
        ("other", 14),
        ("otherGroup", 15),
    )
