"""Types shared by the call-control services and events (ECMA-285 module
CSTA-call-control), and the service bit maps of CSTA-application-context-information-csta3
that ``ServicesPermitted`` is made of.

Call linkage data and location information are rarely sent; they are here in full so that a PDU
that carries them decodes.
"""

from pyasn1.type import char, constraint, namedtype, namedval, tag, univ

from ecsta.wire.asn1.common import TimeInfo


class AutoOriginate(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("prompt", 0),
        ("doNotPrompt", 1),
    )


class CallCharacteristics(univ.BitString):
    namedValues = namedval.NamedValues(
        ("acdCall", 0),
        ("lowPriorityCall", 11),
        ("priorityCall", 1),
        ("highPriorityCall", 12),
        ("maintainanceCall", 2),
        ("directAgent", 3),
        ("assistCall", 4),
        ("voiceUnitCall", 5),
        ("privateCall", 6),
        ("personalCall", 7),
        ("sensitiveCall", 8),
        ("confidentialCall", 9),
        ("encryptedCall", 10),
    )


class CallQualifyingData(univ.OctetString):
    pass


class ConsultOptions(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("unrestricted", 0),
        ("consultOnly", 1),
        ("transferOnly", 2),
        ("conferenceOnly", 3),
    )


class NetworkCapability(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "networkType",
            univ.Enumerated(
                namedValues=namedval.NamedValues(
                    ("iSDNPublic", 0),
                    ("nonISDNPublic", 1),
                    ("iSDNPrivate", 2),
                    ("nonISDNPrivate", 3),
                    ("other", 4),
                )
            ),
        ),
        namedtype.OptionalNamedType(
            "eventsProvided",
            univ.BitString(
                namedValues=namedval.NamedValues(
                    ("bridged", 0),
                    ("allCleared", 1),
                    ("conferenced", 2),
                    ("connectionCleared", 3),
                    ("delivered", 4),
                    ("digitsDialed", 5),
                    ("diverted", 6),
                    ("established", 7),
                    ("failed", 8),
                    ("held", 9),
                    ("networkCapabilitiesChange", 10),
                    ("networkReached", 11),
                    ("offered", 12),
                    ("originated", 13),
                    ("queued", 14),
                    ("retrieved", 15),
                    ("serviceInitiated", 16),
                    ("transferred", 17),
                )
            ),
        ),
    )


class ProgressIndicator(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "progressLocation",
            univ.Enumerated(
                namedValues=namedval.NamedValues(
                    ("user", 0),
                    ("privateNetServingLocal", 1),
                    ("publicNetServingLocal", 2),
                    ("transitNetwork", 3),
                    ("publicNetServingRemote", 4),
                    ("privateNetServingRemote", 5),
                    ("localInterface", 6),
                    ("internationalNetwork", 7),
                    ("networkBeyondInterwk", 8),
                    ("other", 9),
                )
            ),
        ),
        namedtype.NamedType(
            "progressDescription",
            univ.Enumerated(
                namedValues=namedval.NamedValues(
                    ("iSDNProgressDesc", 0),
                    ("qSIGProgressDesc", 1),
                    ("other", 2),
                )
            ),
        ),
    )


class CallControlServices(univ.BitString):
    namedValues = namedval.NamedValues(
        ("acceptCall", 0),
        ("alternateCall", 1),
        ("answerCall", 2),
        ("callBack", 3),
        ("callBackMessage", 4),
        ("campOnCall", 5),
        ("clearCall", 6),
        ("clearConnection", 7),
        ("conferenceCall", 8),
        ("consultationCall", 9),
        ("deflectCall", 10),
        ("dialDigits", 11),
        ("directedPickupCall", 12),
        ("groupPickupCall", 13),
        ("holdCall", 14),
        ("intrudeCall", 15),
        ("joinCall", 16),
        ("makeCall", 17),
        ("makeConnection", 25),
        ("makePredictiveCall", 18),
        ("parkCall", 19),
        ("reconnectCall", 20),
        ("retrieveCall", 21),
        ("sendMessage", 26),
        ("singleStepConference", 22),
        ("singleStepTransfer", 23),
        ("transferCall", 24),
    )


class CallAssociatedServices(univ.BitString):
    namedValues = namedval.NamedValues(
        ("associateData", 0),
        ("cancelTelephonyTones", 1),
        ("changeConnectionInformation", 5),
        ("generateDigits", 2),
        ("generateTelephonyTones", 3),
        ("sendUserInformation", 4),
    )


class MediaAttachmentServices(univ.BitString):
    namedValues = namedval.NamedValues(
        ("attachMediaService", 0),
        ("detachMediaService", 1),
    )


class RouteingServices(univ.BitString):
    namedValues = namedval.NamedValues(
        ("routeRegister", 0),
        ("routeRegisterCancel", 1),
        ("routeRegisterAbort", 2),
        ("reroute", 3),
        ("routeEnd", 4),
        ("routeReject", 5),
        ("routeRequest", 6),
        ("routeSelect", 7),
        ("routeUsed", 8),
    )


class VoiceUnitServices(univ.BitString):
    namedValues = namedval.NamedValues(
        ("activate", 12),
        ("clear", 13),
        ("concatenateMessage", 0),
        ("deactivate", 14),
        ("deleteMessage", 1),
        ("playMessage", 2),
        ("queryVoiceAttribute", 3),
        ("recordMessage", 4),
        ("reposition", 5),
        ("resume", 6),
        ("review", 7),
        ("setVoiceAttribute", 8),
        ("stop", 9),
        ("suspend", 10),
        ("synthesizeMessage", 11),
    )


class ServicesPermitted(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("callControlServices", CallControlServices()),
        namedtype.NamedType("callAssociatedServices", CallAssociatedServices()),
        namedtype.NamedType("mediaAttachmentServices", MediaAttachmentServices()),
        namedtype.NamedType("routeingServices", RouteingServices()),
        namedtype.NamedType("voiceUnitServices", VoiceUnitServices()),
    )


class GlobalCallLinkageID(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "subDomainCallLinkageID",
            univ.OctetString().subtype(
                subtypeSpec=constraint.ValueSizeConstraint(1, 8),
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0),
            ),
        ),
        namedtype.NamedType(
            "globallyUniqueCallLinkageID",
            univ.OctetString().subtype(
                subtypeSpec=constraint.ValueSizeConstraint(1, 16),
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1),
            ),
        ),
    )


class GlobalCallData(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType(
            "globalCallSwitchingSubDomainName",
            char.IA5String().subtype(subtypeSpec=constraint.ValueSizeConstraint(1, 64)),
        ),
        namedtype.NamedType("globalCallLinkageID", GlobalCallLinkageID()),
        namedtype.OptionalNamedType("callLinkageIDTimestamp", TimeInfo()),
    )


class ThreadLinkageID(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "subDomainThreadID",
            univ.OctetString().subtype(
                subtypeSpec=constraint.ValueSizeConstraint(1, 8),
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0),
            ),
        ),
        namedtype.NamedType(
            "globallyUniqueThreadID",
            univ.OctetString().subtype(
                subtypeSpec=constraint.ValueSizeConstraint(1, 16),
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1),
            ),
        ),
    )


class ThreadData(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType(
            "threadSwitchingSubDomainName",
            char.IA5String().subtype(subtypeSpec=constraint.ValueSizeConstraint(1, 64)),
        ),
        namedtype.NamedType("threadLinkageID", ThreadLinkageID()),
        namedtype.OptionalNamedType("threadIDTimeStamp", TimeInfo()),
    )


class CallLinkageData(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("globalCallData", GlobalCallData()),
        namedtype.OptionalNamedType("threadData", ThreadData()),
    )


class CallLinkageDataList(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("newCallLinkageData", CallLinkageData()),
        namedtype.NamedType("oldCallLinkageData", CallLinkageData()),
    )


class Method(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("a-GPS", 0),
        ("aOA", 1),
        ("cell", 2),
        ("derived", 3),
        ("deviceAssistedAGps", 4),
        ("deviceBasedAGps", 5),
        ("dHCP", 6),
        ("gPS", 7),
        ("handsetAflt", 8),
        ("handsetEflt", 9),
        ("hybridAGps", 10),
        ("ipdl", 11),
        ("lldpMed", 12),
        ("manual", 13),
        ("mpl", 14),
        ("nmr", 15),
        ("otdoa", 16),
        ("rfid", 17),
        ("rssi", 18),
        ("rssiRtt", 19),
        ("rtt", 20),
        ("ta", 21),
        ("taNmr", 22),
        ("triangulation", 23),
        ("utdoa", 24),
        ("wiremap", 25),
        ("locMet80211", 26),
    )


class NenaCompanyIDType(char.IA5String):
    pass


class TelUri247Type(char.IA5String):
    pass


class ProvidedBy(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("dataproviderID", NenaCompanyIDType()),
        namedtype.NamedType("telUri", TelUri247Type()),
        namedtype.NamedType("uRL", char.IA5String()),
    )


class UsageRules(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("retransmissionAllowed", univ.Boolean()),
        namedtype.NamedType("retentionExpires", TimeInfo()),
        namedtype.NamedType("rulesetReference", char.IA5String()),
        namedtype.OptionalNamedType("noteWell", char.IA5String()),
    )


class GpLocationInfo(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType(
            "civicLocGml",
            univ.Sequence(
                componentType=namedtype.NamedTypes(
                    namedtype.NamedType("gmlFormat", univ.OctetString()),
                    namedtype.OptionalNamedType(
                        "civicLoc",
                        univ.Sequence(
                            componentType=namedtype.NamedTypes(
                                namedtype.NamedType(
                                    "country",
                                    char.IA5String().subtype(
                                        subtypeSpec=constraint.ValueSizeConstraint(0, 2)
                                    ),
                                ),
                                namedtype.OptionalNamedType(
                                    "a1",
                                    char.IA5String().subtype(
                                        implicitTag=tag.Tag(
                                            tag.tagClassContext, tag.tagFormatSimple, 0
                                        )
                                    ),
                                ),
                                namedtype.OptionalNamedType(
                                    "a2",
                                    char.IA5String().subtype(
                                        implicitTag=tag.Tag(
                                            tag.tagClassContext, tag.tagFormatSimple, 1
                                        )
                                    ),
                                ),
                                namedtype.OptionalNamedType(
                                    "a3",
                                    char.IA5String().subtype(
                                        implicitTag=tag.Tag(
                                            tag.tagClassContext, tag.tagFormatSimple, 2
                                        )
                                    ),
                                ),
                                namedtype.OptionalNamedType(
                                    "a4",
                                    char.IA5String().subtype(
                                        implicitTag=tag.Tag(
                                            tag.tagClassContext, tag.tagFormatSimple, 3
                                        )
                                    ),
                                ),
                                namedtype.OptionalNamedType(
                                    "a5",
                                    char.IA5String().subtype(
                                        implicitTag=tag.Tag(
                                            tag.tagClassContext, tag.tagFormatSimple, 4
                                        )
                                    ),
                                ),
                                namedtype.OptionalNamedType(
                                    "a6",
                                    char.IA5String().subtype(
                                        implicitTag=tag.Tag(
                                            tag.tagClassContext, tag.tagFormatSimple, 5
                                        )
                                    ),
                                ),
                                namedtype.OptionalNamedType(
                                    "prd",
                                    char.IA5String().subtype(
                                        implicitTag=tag.Tag(
                                            tag.tagClassContext, tag.tagFormatSimple, 6
                                        )
                                    ),
                                ),
                                namedtype.OptionalNamedType(
                                    "pod",
                                    char.IA5String().subtype(
                                        implicitTag=tag.Tag(
                                            tag.tagClassContext, tag.tagFormatSimple, 7
                                        )
                                    ),
                                ),
                                namedtype.OptionalNamedType(
                                    "sts",
                                    char.IA5String().subtype(
                                        implicitTag=tag.Tag(
                                            tag.tagClassContext, tag.tagFormatSimple, 8
                                        )
                                    ),
                                ),
                                namedtype.OptionalNamedType(
                                    "hno",
                                    char.IA5String().subtype(
                                        implicitTag=tag.Tag(
                                            tag.tagClassContext, tag.tagFormatSimple, 9
                                        )
                                    ),
                                ),
                                namedtype.OptionalNamedType(
                                    "hns",
                                    char.IA5String().subtype(
                                        implicitTag=tag.Tag(
                                            tag.tagClassContext, tag.tagFormatSimple, 10
                                        )
                                    ),
                                ),
                                namedtype.OptionalNamedType(
                                    "lmk",
                                    char.IA5String().subtype(
                                        implicitTag=tag.Tag(
                                            tag.tagClassContext, tag.tagFormatSimple, 11
                                        )
                                    ),
                                ),
                                namedtype.OptionalNamedType(
                                    "loc",
                                    char.IA5String().subtype(
                                        implicitTag=tag.Tag(
                                            tag.tagClassContext, tag.tagFormatSimple, 12
                                        )
                                    ),
                                ),
                                namedtype.OptionalNamedType(
                                    "flr",
                                    char.IA5String().subtype(
                                        implicitTag=tag.Tag(
                                            tag.tagClassContext, tag.tagFormatSimple, 13
                                        )
                                    ),
                                ),
                                namedtype.OptionalNamedType(
                                    "nam",
                                    char.IA5String().subtype(
                                        implicitTag=tag.Tag(
                                            tag.tagClassContext, tag.tagFormatSimple, 14
                                        )
                                    ),
                                ),
                                namedtype.OptionalNamedType(
                                    "pc",
                                    char.IA5String().subtype(
                                        implicitTag=tag.Tag(
                                            tag.tagClassContext, tag.tagFormatSimple, 15
                                        )
                                    ),
                                ),
                            )
                        ),
                    ),
                )
            ),
        ),
    )


class GpLocationInfoList(univ.SequenceOf):
    componentType = GpLocationInfo()


class GeoPriv(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("gpLocationInfo", GpLocationInfoList()),
        namedtype.OptionalNamedType(
            "usageRules",
            UsageRules().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 0)
            ),
        ),
        namedtype.OptionalNamedType(
            "method",
            Method().subtype(implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)),
        ),
        namedtype.OptionalNamedType(
            "providedBy",
            ProvidedBy().subtype(
                implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatConstructed, 2)
            ),
        ),
    )


class LocationInfo(univ.SequenceOf):
    componentType = GeoPriv()


class LocationInfoList(univ.SequenceOf):
    componentType = LocationInfo()
