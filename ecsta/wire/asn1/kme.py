"""Panasonic private data (KME), the subset that Panasonic CTI clients use.

Panasonic publishes no ASN.1 module for its private data; what is here follows the dialect that
working Panasonic clients use (PROTOCOL.md section 6) and the bytes of real PBXs. A
``KmeSpecificPrivateData`` travels as ``CSTAPrivateData.private`` (no manufacturer OID), inside
``CSTACommonArguments.privateData``, ``EscapeArgument.privateData`` and events.

Tagging: the dialect writes ``EXPLICIT`` where a tag wraps a complete encoding, so its module
default must be ``IMPLICIT TAGS``; the few fields written without a keyword
(``KmeGetSystemDataRsp`` manufacturerName, ctiVersion, systemTime, pbxType) are therefore
implicitly tagged. That is an inference: no capture holds them.

Nothing Panasonic sends may be lost by a decoder that only knows this subset, so every CHOICE
that the PBX sends ends with an ``unrecognized`` alternative: any other alternative decodes to
its whole encoding (tag, length and contents, as bytes) and re-encodes to the same bytes.
``kmePrivateEvent`` and ``kmeResourceControl`` keep the contents of their tag as bytes. What
still raises a decode error: a ``KmeGetSystemDataRsp`` with fields other than those below, and
alternatives of the request CHOICE that applications send (``KmeGetSystemDataReq``) other than
those below.

Decode KME data with :func:`ecsta.wire.values.decode`. pyasn1's own BER decoder decodes the
known alternatives alike, but hands an ``unrecognized`` alternative its contents only: by the
time it gets there, an enclosing CHOICE has read the header, and pyasn1 cannot step back over it.
"""

from pyasn1.type import char, namedtype, namedval, tag, tagmap, univ, useful

from ecsta.wire.asn1.device import DeviceID

# The highest tag number the dialect is known to use is [46]; room to spare.
_LAST_CONTEXT_TAG = 63


def _context(number: int, constructed: bool = True) -> tag.Tag:
    tag_format = tag.tagFormatConstructed if constructed else tag.tagFormatSimple
    return tag.Tag(tag.tagClassContext, tag_format, number)


class UnrecognizedAlternative(univ.Any):
    """The whole encoding of a CHOICE alternative that this module does not model.

    ecsta's decoder tries a CHOICE's alternatives in order, so this one, always the last, takes
    what the others leave. pyasn1's decoder looks alternatives up by tag instead, and there an
    untagged ANY claims every tag: it would take the outer tag of an explicitly tagged sibling,
    or ``EscapeArgument``'s escapeRegisterID right before the private data, before pyasn1 looks
    inside. So this one claims only the context-specific tag numbers in ``claimedTags``: those
    its CHOICE leaves free.
    """

    claimedTags: tuple[int, ...] = ()

    @property
    def tagMap(self) -> tagmap.TagMap:
        claimed = {tag.initTagSet(_context(number)): self for number in self.claimedTags}
        return tagmap.TagMap({self.tagSet: self, **claimed})


class TagContents(univ.Any):
    """The contents of an explicitly tagged alternative whose inner structure is not modelled.

    pyasn1 makes every ANY, tagged or not, the catch-all of the CHOICE around it, and a CHOICE
    cannot have two; this one answers to its own tag only.
    """

    @property
    def tagMap(self) -> tagmap.TagMap:
        return tagmap.TagMap({self.tagSet: self})


def _free_tags(*used: int, first: int = 0) -> tuple[int, ...]:
    return tuple(n for n in range(first, _LAST_CONTEXT_TAG + 1) if n not in used)


class KmeDeviceCategory(univ.Enumerated):
    """The standard device categories a device-list request selects (stations, CO trunks...)."""

    namedValues = namedval.NamedValues(
        ("acd", 0),
        ("group", 1),
        ("networkInterface", 2),
        ("park", 3),
        ("routeingDevice", 4),
        ("station", 5),
        ("voiceUnit", 6),
        ("other", 7),
    )


class KmeGetSystemDataReq(univ.Choice):
    """What an application asks for with ``getSystemData`` (escape, operation 51).

    The values of ``systemData`` are not published; they stay plain integers.
    """

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("systemData", univ.Enumerated().subtype(explicitTag=_context(0))),
        namedtype.NamedType(
            "deviceList",
            univ.Choice(
                componentType=namedtype.NamedTypes(
                    namedtype.NamedType(
                        "category",
                        univ.Choice(
                            componentType=namedtype.NamedTypes(
                                namedtype.NamedType(
                                    "standardDevice",
                                    KmeDeviceCategory().subtype(explicitTag=_context(0)),
                                ),
                            )
                        ).subtype(explicitTag=_context(1)),
                    ),
                )
            ).subtype(explicitTag=_context(4)),
        ),
    )


class KmeDeviceState(univ.Enumerated):
    namedValues = namedval.NamedValues(("ins", 0), ("ous", 1))


class KmeDeviceStateList(univ.SequenceOf):
    """One entry per device of the requested category: its id, its number and its state."""

    componentType = univ.Sequence(
        componentType=namedtype.NamedTypes(
            namedtype.NamedType("device", DeviceID()),
            namedtype.OptionalNamedType("number", char.IA5String()),
            namedtype.NamedType("status", KmeDeviceState()),
        )
    )


#: The ``systemData`` value that asks for the extension names. The values of ``systemData`` are
#: not published; this one is an inference: the request names an item of
#: ``KmeGetSystemDataRsp`` by its tag number, and ``extName`` is [41].
EXT_NAME_SYSTEM_DATA = 41


class KmeExtNameList(univ.SequenceOf):
    """The names of the extensions: one entry per named device, the device as the device list
    names it (its deviceNumber) and its name.

    That ``extName [41]`` exists (CTI V1.1 and later) is known; the shape of its entries is
    an inference, since no capture holds one.
    """

    componentType = univ.Sequence(
        componentType=namedtype.NamedTypes(
            namedtype.NamedType("device", DeviceID()),
            namedtype.NamedType("name", char.IA5String()),
        )
    )


class KmeGetSystemDataRsp(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType(
            "manufacturerName", char.IA5String().subtype(implicitTag=_context(19, False))
        ),
        namedtype.OptionalNamedType(
            "ctiVersion", char.IA5String().subtype(implicitTag=_context(22, False))
        ),
        namedtype.OptionalNamedType(
            "systemTime", useful.GeneralizedTime().subtype(implicitTag=_context(24, False))
        ),
        namedtype.OptionalNamedType(
            "deviceList", KmeDeviceStateList().subtype(explicitTag=_context(38))
        ),
        namedtype.OptionalNamedType("extName", KmeExtNameList().subtype(explicitTag=_context(41))),
        namedtype.OptionalNamedType(
            "pbxType", univ.Integer().subtype(implicitTag=_context(46, False))
        ),
    )


class KmeSystemDataLinkedReply(univ.Sequence):
    """One segment of the answer to ``getSystemData``, sent by the PBX as an escape invoke.

    ``crossRefID`` is the one the PBX returned in ``getSystemDataPosAck``; the segments come
    until ``lastSegment`` is TRUE.
    """

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("crossRefID", univ.OctetString().subtype(explicitTag=_context(0))),
        namedtype.NamedType("segmentID", univ.Integer().subtype(explicitTag=_context(1))),
        namedtype.NamedType("lastSegment", univ.Boolean().subtype(explicitTag=_context(2))),
        namedtype.OptionalNamedType(
            "sysData", KmeGetSystemDataRsp().subtype(explicitTag=_context(3))
        ),
    )


class _UnrecognizedSystemData(UnrecognizedAlternative):
    claimedTags = _free_tags(0, 3, 4)


class KmeSystemData(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "getSystemData",
            univ.Choice(
                componentType=namedtype.NamedTypes(
                    namedtype.NamedType("request", KmeGetSystemDataReq()),
                )
            ).subtype(explicitTag=_context(0)),
        ),
        namedtype.NamedType(
            "systemDataLinkedReply", KmeSystemDataLinkedReply().subtype(explicitTag=_context(3))
        ),
        namedtype.NamedType(
            "getSystemDataPosAck", univ.OctetString().subtype(explicitTag=_context(4))
        ),
        namedtype.NamedType("unrecognized", _UnrecognizedSystemData()),
    )


class KmeHoldType(univ.Enumerated):
    namedValues = namedval.NamedValues(("consultation", 0), ("normal", 1), ("exclusive", 2))


class KmeConditionCode(univ.Enumerated):
    """CDR condition codes (PROTOCOL.md section 5); the names are ours, the numbers Panasonic's.

    Carried as ``[10] EXPLICIT ENUMERATED`` like ``holdType``: an inference from the clients
    that decode it, not from a capture.
    """

    namedValues = namedval.NamedValues(
        ("reverseCharging", 0),
        ("callTransfer", 1),
        ("callForwarding", 2),
        ("disaTie", 3),
        ("remoteMaintenance", 4),
        ("noAnswer", 5),
    )


class _UnrecognizedAdditionalData(UnrecognizedAlternative):
    claimedTags = _free_tags(6, 9, 10, 13, 17)


class KmeAdditionalData(univ.Choice):
    """Facts that Panasonic adds to events and CDRs (hold type, DID number, ...)."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("device", DeviceID().subtype(explicitTag=_context(6))),
        namedtype.NamedType("holdType", KmeHoldType().subtype(explicitTag=_context(9))),
        namedtype.NamedType("conditionCode", KmeConditionCode().subtype(explicitTag=_context(10))),
        namedtype.NamedType("callID", univ.OctetString().subtype(explicitTag=_context(13))),
        namedtype.NamedType("didNo", DeviceID().subtype(explicitTag=_context(17))),
        namedtype.NamedType("unrecognized", _UnrecognizedAdditionalData()),
    )


class _UnrecognizedPrivateData(UnrecognizedAlternative):
    # [0] stays unclaimed: EscapeArgument puts the [0]-tagged escapeRegisterID right before its
    # privateData, and this alternative must not take it for private data.
    claimedTags = _free_tags(4, 6, 7, 8, first=1)


class KmeSpecificPrivateData(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("kmeSystemData", KmeSystemData().subtype(explicitTag=_context(4))),
        namedtype.NamedType(
            "kmeAdditionalData", KmeAdditionalData().subtype(explicitTag=_context(6))
        ),
        namedtype.NamedType("kmePrivateEvent", TagContents().subtype(explicitTag=_context(7))),
        namedtype.NamedType("kmeResourceControl", TagContents().subtype(explicitTag=_context(8))),
        namedtype.NamedType("unrecognized", _UnrecognizedPrivateData()),
    )
