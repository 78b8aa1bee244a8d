"""System services (ECMA-285 modules CSTA-system-status, CSTA-request-system-status,
CSTA-get-switching-function-devices, CSTA-switching-function-devices and
CSTA-switching-function-devices-changed).

A Panasonic PBX uses ``systemStatus`` as its keep-alive (PROTOCOL.md section 5).
"""

from pyasn1.type import char, constraint, namedtype, namedval, tag, univ

from ecsta.wire.asn1.common import CSTACommonArguments, ServiceCrossRefID
from ecsta.wire.asn1.device import DeviceCategory, DeviceID, NamedDeviceTypes
from ecsta.wire.asn1.feature_types import SysStatRegisterID, SystemStatus


class SystemStatusArg(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("sysStatRegisterID", SysStatRegisterID()),
        namedtype.NamedType("systemStatus", SystemStatus()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class SystemStatusRes(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )


class RequestSysStatArg(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("sysStatRegisterID", SysStatRegisterID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class RequestSysStatRes(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("systemStatus", SystemStatus()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class ReqDeviceCategory(univ.Enumerated):
    namedValues = namedval.NamedValues(
        ("acd", 0),
        ("conference", 11),
        ("dtmfIV", 12),
        ("genericIV", 13),
        ("groupACD", 1),
        ("groupHunt", 2),
        ("groupPick", 3),
        ("groupOther", 4),
        ("groupUser", 14),
        ("listenerIV", 15),
        ("messageIV", 16),
        ("networkInterface", 5),
        ("park", 6),
        ("promptIV", 17),
        ("promptQueue", 18),
        ("routeingDevice", 7),
        ("station", 8),
        ("voiceUnit", 9),
        ("other", 10),
    )


class GetSwitchingFunctionDevicesArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("requestedDeviceID", DeviceID()),
        namedtype.OptionalNamedType("requestedDeviceCategory", ReqDeviceCategory()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class GetSwitchingFunctionDevicesResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("serviceCrossRefID", ServiceCrossRefID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class DeviceAttributes(univ.BitString):
    namedValues = namedval.NamedValues(
        ("mediaAccessDevice", 0),
        ("routeingDevice", 1),
        ("groupACD", 2),
        ("groupHunt", 3),
        ("groupPick", 4),
    )


class DeviceList(univ.SequenceOf):
    componentType = univ.Sequence(
        componentType=namedtype.NamedTypes(
            namedtype.NamedType("deviceID", DeviceID()),
            namedtype.DefaultedNamedType(
                "deviceCategory",
                DeviceCategory().subtype(
                    value="station",
                    implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 0),
                ),
            ),
            namedtype.OptionalNamedType(
                "namedDeviceTypes",
                NamedDeviceTypes().subtype(
                    implicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 1)
                ),
            ),
            namedtype.OptionalNamedType("deviceAttributes", DeviceAttributes()),
            namedtype.OptionalNamedType(
                "deviceModelName",
                char.IA5String().subtype(subtypeSpec=constraint.ValueSizeConstraint(0, 64)),
            ),
            namedtype.OptionalNamedType("nidGroup", DeviceID()),
        )
    )


class SwitchingFunctionDevicesArgument(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("serviceCrossRefID", ServiceCrossRefID()),
        namedtype.OptionalNamedType("segmentID", univ.Integer()),
        namedtype.NamedType("lastSegment", univ.Boolean()),
        namedtype.NamedType("deviceList", DeviceList()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class SwFunctionDevicesChangedArg(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.OptionalNamedType("sysStatRegisterID", SysStatRegisterID()),
        namedtype.OptionalNamedType("extensions", CSTACommonArguments()),
    )


class SwFunctionDevicesChangedRes(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extensions", CSTACommonArguments()),
        namedtype.NamedType("noData", univ.Null()),
    )
