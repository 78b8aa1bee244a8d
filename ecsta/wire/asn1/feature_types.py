"""Small types of the device and call features (ECMA-285 module
CSTA-device-feature-types): account and authorisation codes, forwarding, system status, ...
"""

from pyasn1.type import char, constraint, namedtype, namedval, tag, univ

from ecsta.wire.asn1.common import EventCause
from ecsta.wire.asn1.connection import ConnectionID
from ecsta.wire.asn1.device import DeviceID


class AccountInfo(univ.OctetString):
    pass


class AgentID(univ.OctetString):
    pass


class AgentPassword(univ.OctetString):
    pass


class AuthCode(univ.OctetString):
    pass


class CorrelatorData(univ.OctetString):
    pass


class MessageID(univ.OctetString):
    pass


class ParticipationType(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("silent", 0),
        ("active", 1),
        ("none", 2),
    )


class SysStatRegisterID(univ.OctetString):
    pass


class SystemStatus(univ.Enumerated):
    """The switching function's health.

    A Panasonic PBX sends ``normal`` as its keep-alive, and ``messagesLost`` or
    ``overloadReached`` when it means them.
    """

    namedValues = namedval.NamedValues(
        ("disabled", 4),
        ("partiallyDisabled", 8),
        ("enabled", 1),
        ("initializing", 0),
        ("messagesLost", 3),
        ("normal", 2),
        ("overloadImminent", 5),
        ("overloadReached", 6),
        ("overloadRelieved", 7),
    )


class CallOrigination(univ.BitString):
    namedValues = namedval.NamedValues(
        ("internal", 0),
        ("external", 1),
    )


class ForwardingType(univ.Enumerated):
    """Where a forwarding applies.

    The nine non-DND values (immediate, busy and no answer, each for all, internal or external
    calls) are one for each of the nine forwarding modes the driver offers.
    """

    namedValues = namedval.NamedValues(
        ("forwardImmediate", 0),
        ("forwardBusy", 1),
        ("forwardNoAns", 2),
        ("forwardDND", 9),
        ("forwardBusyInt", 3),
        ("forwardBusyExt", 4),
        ("forwardNoAnsInt", 5),
        ("forwardNoAnsExt", 6),
        ("forwardImmInt", 7),
        ("forwardImmExt", 8),
        ("forwardDNDInt", 10),
        ("forwardDNDExt", 11),
    )


class ForwardDefault(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("forwardingTypeAndForwardDN", 0),
        ("forwardingType", 1),
        ("forwardDN", 2),
    )


class ForwardList(univ.SequenceOf):
    componentType = univ.Sequence(
        componentType=namedtype.NamedTypes(
            namedtype.OptionalNamedType("forwardingType", ForwardingType()),
            namedtype.NamedType("forwardStatus", univ.Boolean()),
            namedtype.OptionalNamedType("forwardDN", DeviceID()),
            namedtype.OptionalNamedType("forwardDefault", ForwardDefault()),
            namedtype.OptionalNamedType(
                "ringDuration",
                univ.Integer().subtype(
                    implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0)
                ),
            ),
            namedtype.OptionalNamedType(
                "ringCount",
                univ.Integer().subtype(subtypeSpec=constraint.ValueRangeConstraint(1, 100)),
            ),
        )
    )


class PendingAgentState(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("agentNotReady", 0),
        ("agentNull", 1),
        ("agentReady", 2),
        ("agentWorkingAfterCall", 3),
    )


class ResourceID(char.IA5String):
    pass


class MessageInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("contents", char.IA5String()),
        namedtype.OptionalNamedType("contentTypeAndSubtype", char.IA5String()),
        namedtype.OptionalNamedType("contentsLength", univ.Integer()),
    )


class DeviceHistory(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("oldDeviceID", DeviceID()),
        namedtype.OptionalNamedType(
            "eventCause",
            EventCause().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)),
        ),
        namedtype.OptionalNamedType(
            "oldConnectionID",
            ConnectionID().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
    )


class SubjectOfCall(char.IA5String):
    pass


class LanguagePreferences(char.IA5String):
    pass


class UserData(univ.OctetString):
    tagSet = univ.OctetString.tagSet.tagExplicitly(
        tag.Tag(tag.tagClassApplication, tag.tagFormatConstructed, 29)
    )


class TelephonyTone(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("beep", 0),
        ("billing", 1),
        ("busy", 2),
        ("carrier", 3),
        ("confirmation", 4),
        ("dial", 5),
        ("faxCNG", 6),
        ("hold", 7),
        ("howler", 8),
        ("intrusion", 9),
        ("modemCNG", 10),
        ("park", 11),
        ("recordWarning", 12),
        ("reorder", 13),
        ("ringback", 14),
        ("silence", 15),
        ("sitVC", 16),
        ("sitIC", 17),
        ("sitRO", 18),
        ("sitNC", 19),
        ("switchSpec0", 20),
        ("switchSpec1", 21),
        ("switchSpec2", 22),
        ("switchSpec3", 23),
        ("switchSpec4", 24),
        ("switchSpec5", 25),
        ("switchSpec6", 26),
        ("switchSpec7", 27),
        ("switchSpec8", 28),
        ("switchSpec9", 29),
        ("switchSpec10", 30),
        ("switchSpec11", 31),
        ("switchSpec12", 32),
        ("switchSpec13", 33),
        ("switchSpec14", 34),
        ("switchSpec15", 35),
        ("switchSpec16", 36),
        ("switchSpec17", 37),
        ("switchSpec18", 38),
        ("switchSpec19", 39),
        ("switchSpec20", 40),
        ("switchSpec21", 41),
        ("switchSpec22", 42),
        ("switchSpec23", 43),
        ("switchSpec24", 44),
        ("switchSpec25", 45),
        ("switchSpec26", 46),
        ("switchSpec27", 47),
        ("switchSpec28", 48),
        ("switchSpec29", 49),
        ("switchSpec30", 50),
        ("switchSpec31", 51),
        ("switchSpec32", 52),
        ("switchSpec33", 53),
        ("switchSpec34", 54),
        ("switchSpec35", 55),
        ("switchSpec36", 56),
        ("switchSpec37", 57),
        ("switchSpec38", 58),
        ("switchSpec39", 59),
        ("switchSpec40", 60),
        ("switchSpec41", 61),
        ("switchSpec42", 62),
        ("switchSpec43", 63),
        ("switchSpec44", 64),
        ("switchSpec45", 65),
        ("switchSpec46", 66),
        ("switchSpec47", 67),
        ("switchSpec48", 68),
        ("switchSpec49", 69),
        ("switchSpec50", 70),
        ("switchSpec51", 71),
        ("switchSpec52", 72),
        ("switchSpec53", 73),
        ("switchSpec54", 74),
        ("switchSpec55", 75),
        ("switchSpec56", 76),
        ("switchSpec57", 77),
        ("switchSpec58", 78),
        ("switchSpec59", 79),
        ("switchSpec60", 80),
        ("switchSpec61", 81),
        ("switchSpec62", 82),
        ("switchSpec63", 83),
        ("switchSpec64", 84),
        ("switchSpec65", 85),
        ("switchSpec66", 86),
        ("switchSpec67", 87),
        ("switchSpec68", 88),
        ("switchSpec69", 89),
        ("switchSpec70", 90),
        ("switchSpec71", 91),
        ("switchSpec72", 92),
        ("switchSpec73", 93),
        ("switchSpec74", 94),
        ("switchSpec75", 95),
        ("switchSpec76", 96),
        ("switchSpec77", 97),
        ("switchSpec78", 98),
        ("switchSpec79", 99),
        ("switchSpec80", 100),
        ("switchSpec81", 101),
        ("switchSpec82", 102),
        ("switchSpec83", 103),
        ("switchSpec84", 104),
        ("switchSpec85", 105),
        ("switchSpec86", 106),
        ("switchSpec87", 107),
        ("switchSpec88", 108),
        ("switchSpec89", 109),
        ("switchSpec90", 110),
        ("switchSpec91", 111),
        ("switchSpec92", 112),
        ("switchSpec93", 113),
        ("switchSpec94", 114),
        ("switchSpec95", 115),
        ("switchSpec96", 116),
        ("switchSpec97", 117),
        ("switchSpec98", 118),
        ("switchSpec99", 119),
        ("switchSpec100", 120),
    )


class PresenceState(univ.BitString):
    namedValues = namedval.NamedValues(
        ("available", 0),
        ("away", 1),
        ("busy", 2),
        ("calling", 3),
        ("dnd", 4),
        ("meeting", 5),
        ("offline", 6),
        ("unknown", 7),
        ("vacation", 8),
        ("applicationSpec0", 9),
        ("applicationSpec1", 10),
        ("applicationSpec2", 11),
        ("applicationSpec3", 12),
        ("applicationSpec4", 13),
        ("applicationSpec5", 14),
        ("applicationSpec6", 15),
        ("applicationSpec7", 16),
        ("applicationSpec8", 17),
        ("applicationSpec9", 18),
        ("applicationSpec10", 19),
    )
