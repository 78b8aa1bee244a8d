"""Media characteristics of calls and connections (ECMA-285 module CSTA-media-services).

Device identifiers, connection lists and many events may carry these; Panasonic's events do not
(PROTOCOL.md section 7), but a PDU that does must still decode.
"""

from pyasn1.type import char, namedtype, namedval, tag, univ


class MediaServiceType(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("cstaVoiceUnit", 0),
        ("dataModem", 1),
        ("digitalDataIsochronousIeee1394", 2),
        ("digitalDataIsochronousGeoport", 3),
        ("digitalDataIsochronousIeeeAtm", 4),
        ("digitalDataIsochronousIeeeIsdn", 5),
        ("digitalDataApi", 6),
        ("ectfS100MediaServicesDefault", 7),
        ("ectfS100MediaServicesAppServices", 8),
        ("cstaIVRScript1", 9),
        ("cstaIVRScript2", 10),
        ("cstaIVRScript3", 11),
        ("cstaIVRScript4", 12),
        ("cstaIVRScript5", 13),
        ("cstaIVRScript6", 14),
        ("cstaIVRScript7", 15),
        ("cstaIVRScript8", 16),
        ("cstaIVRScript9", 17),
        ("cstaIVRScript10", 18),
        ("liveSoundCaptureAnalog", 19),
        ("liveSoundTransmitAnalog", 20),
        ("liveSoundCaptureIeee1394", 21),
        ("liveSoundTransmitIeee1394", 22),
        ("liveSoundCaptureTransmitGeoport", 23),
        ("liveSoundCaptureTransmitAtm", 24),
        ("liveSoundCaptureTransmitISDN", 25),
        ("soundCaptureTransmitADPCM", 26),
        ("soundCaptureTransmitApi", 27),
        ("usb", 28),
        ("sfSpecific1", 29),
        ("sfSpecific2", 30),
        ("sfSpecific3", 31),
        ("sfSpecific4", 32),
        ("sfSpecific5", 33),
        ("sfSpecific6", 34),
        ("sfSpecific7", 35),
        ("sfSpecific8", 36),
        ("sfSpecific9", 37),
        ("sfSpecific10", 38),
    )


class MediaStreamID(univ.OctetString):
    pass


class MediaServiceInstanceID(univ.OctetString):
    pass


class ConnectionInformation(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType(
            "flowDirection",
            univ.Enumerated(
                namedValues=namedval.NamedValues(
                    ("transmit", 0),
                    ("receive", 1),
                    ("transmitAndReceive", 2),
                    ("none", 3),
                )
            ),
        ),
        namedtype.DefaultedNamedType("numberOfChannels", univ.Integer().subtype(value=1)),
        namedtype.OptionalNamedType("mediaSessionInformation", char.IA5String()),
    )


class MediaClass(univ.BitString):
    namedValues = namedval.NamedValues(
        ("voice", 0),
        ("data", 1),
        ("image", 2),
        ("audio", 4),
        ("other", 3),
        ("notKnown", 5),
        ("chat", 6),
        ("email", 7),
        ("message", 8),
        ("im", 9),
        ("sms", 10),
        ("mms", 11),
    )


class MediaCallCharacteristics(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("mediaClass", MediaClass()),
        namedtype.OptionalNamedType(
            "connectionRate",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
            ),
        ),
        namedtype.DefaultedNamedType(
            "bitRate",
            univ.Enumerated(
                namedValues=namedval.NamedValues(
                    ("constant", 0),
                    ("variable", 1),
                )
            ).subtype(
                value="constant", implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
            ),
        ),
        namedtype.OptionalNamedType(
            "delayTolerance",
            univ.Integer().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 2)
            ),
        ),
        namedtype.OptionalNamedType(
            "switchingSubDomainCCIEType",
            univ.Enumerated(
                namedValues=namedval.NamedValues(
                    ("isdn", 0),
                    ("atm", 1),
                    ("isoEthernet", 2),
                    ("rsvp", 3),
                    ("other", 4),
                    ("sip", 5),
                )
            ).subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3)),
        ),
        namedtype.OptionalNamedType("switchingSubDomainInformationElements", univ.OctetString()),
    )
