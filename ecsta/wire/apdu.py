"""Whole CSTA APDUs as plain values: ACSE association PDUs and ROSE operations, both ways.

:func:`decode` turns one PDU (without its 2-byte length header) into one of the frozen
dataclasses below, with arguments, results and errors decoded by the types the operations table
(:mod:`ecsta.wire.operations`) gives for the operation code, in the plain value convention of
:mod:`ecsta.wire.values`. :func:`encode` does the reverse. Bad peer bytes raise only
:class:`DecodeError`; when the right answer to them is a ROSE reject, the error is a
:class:`RejectableError` that carries the reject problem and the invokeId, so that a server can
answer without decoding anything again.

Answers are not correlated here: a returnResult with an invokeId nobody sent decodes like any
other. Matching them to requests is the link's job.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, TypeAlias, TypeVar

from pyasn1.type.base import Asn1Item

from ecsta.wire import ber, values
from ecsta.wire.asn1 import acse, rose
from ecsta.wire.asn1.error import ERRORS_BY_CODE, UNIVERSAL_FAILURE, UniversalFailure
from ecsta.wire.ber import CSTA_EVENT_REPORT
from ecsta.wire.errors import DecodeError
from ecsta.wire.operations import BY_CODE, Operation
from ecsta.wire.tlv import read_integer, read_tlv

__all__ = [
    "AARE",
    "AARQ",
    "ABRT",
    "ACCEPTED_AARE",
    "APDU",
    "CSTA_EVENT_REPORT",
    "PANASONIC_USER_INFORMATION",
    "RLRE",
    "RLRQ",
    "VERSION1",
    "Invoke",
    "Reject",
    "RejectableError",
    "ReturnError",
    "ReturnResult",
    "aare_rejected",
    "aarq",
    "check_invoke",
    "decode",
    "encode",
    "event_report",
    "reject",
    "return_error",
    "universal_failure",
]

#: protocol-version of ACSE: version1, the only one, written out as Panasonic does.
VERSION1 = (b"\x80", 1)

#: ACSEUserInformationForCSTA that Panasonic PBXs and their clients exchange: cSTAVersion with
#: bit 4, versionFive (ECMA-285 2nd edition), in two octets.
PANASONIC_USER_INFORMATION: tuple[str, Mapping[str, Any]] = (
    "newDefinition",
    MappingProxyType({"cSTAVersion": (b"\x08\x00", 16)}),
)

_T = TypeVar("_T")

_PROBLEMS: Mapping[str, type[Asn1Item]] = MappingProxyType(
    {
        "general": rose.GeneralProblem,
        "invoke": rose.InvokeProblem,
        "returnResult": rose.ReturnResultProblem,
        "returnError": rose.ReturnErrorProblem,
    }
)


class RejectableError(DecodeError):
    """A ROSE PDU that the receiver answers with a reject (X.880 Reject).

    ``reject`` is the problem, e.g. ``("invoke", "unrecognizedOperation")``; ``invoke_id`` is
    the PDU's invokeId when it could be read, else None.
    """

    def __init__(
        self,
        message: str,
        offset: int | None,
        reject: tuple[str, str],
        invoke_id: int | None,
    ) -> None:
        super().__init__(message, offset)
        self.reject = reject
        self.invoke_id = invoke_id

    def answer(self) -> "Reject":
        """The reject that answers the PDU."""
        return Reject(self.invoke_id, self.reject)


# --------------------------------------------------------------------------------------------
# ROSE


@dataclass(frozen=True)
class Invoke:
    """ROSE invoke of a CSTA operation; ``argument`` None means the PDU carries none."""

    invoke_id: int | None
    opcode: int
    argument: Any
    linked_id: int | None = None

    @property
    def operation(self) -> Operation:
        return BY_CODE[self.opcode]


@dataclass(frozen=True)
class ReturnResult:
    """ROSE returnResult; ``opcode`` None is the short form that carries only the invokeId."""

    invoke_id: int | None
    opcode: int | None = None
    result: Any = None

    @property
    def operation(self) -> Operation | None:
        return None if self.opcode is None else BY_CODE[self.opcode]


@dataclass(frozen=True)
class ReturnError:
    """ROSE returnError; for universalFailure ``error`` is ``(kind, value)``, e.g.
    ``("operation", "generic")``; None when the PDU carries no parameter."""

    invoke_id: int | None
    errcode: int
    error: Any

    @property
    def error_name(self) -> str:
        return ERRORS_BY_CODE[self.errcode].name


@dataclass(frozen=True)
class Reject:
    """ROSE reject; ``problem`` is (kind, X.880 name), e.g. ``("invoke", "mistypedArgument")``.

    A problem number that X.880 does not name decodes as ``(kind, str(number))``.
    """

    invoke_id: int | None
    problem: tuple[str, str]


# --------------------------------------------------------------------------------------------
# ACSE


class _CSTAVersions:
    """The versions an AARQ offers or an AARE accepts, read from their CSTA user information
    alike."""

    csta_user_information: Any

    @property
    def csta_version(self) -> tuple[bytes, int] | None:
        """The cSTAVersion BIT STRING, None without CSTA user information."""
        return _csta_version(self.csta_user_information)

    @property
    def csta_versions(self) -> frozenset[str]:
        """Names of the CSTA versions, e.g. ``{"versionFive"}``."""
        return _version_names(self.csta_version)


@dataclass(frozen=True)
class AARQ(_CSTAVersions):
    """Association request.

    ``user`` and ``password`` are the login of docs/login.md, None when none was sent;
    ``login_reference`` is the direct-reference of its EXTERNAL (None in the form without).
    ``csta_user_information`` is the ACSEUserInformationForCSTA value, None when the AARQ has no
    user-information. ``other`` holds every other AARQ-apdu component as decoded, so that
    nothing a client sends is lost, and an AARQ that carries the login or the user information
    in a form not described here still decodes (with those fields None).
    """

    context: str = acse.CSTA_APPLICATION_CONTEXT
    csta_user_information: Any = PANASONIC_USER_INFORMATION
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    login_reference: str | None = None
    protocol_version: tuple[bytes, int] | None = VERSION1
    other: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AARE(_CSTAVersions):
    """Association response; ``result`` 0 accepted, 1 rejected-permanent, 2 rejected-transient.

    ``diagnostic`` is the result-source-diagnostic, e.g. ``("acse-service-user", 1)``: a real
    PBX sends no-reason-given(1) even with result accepted.
    """

    context: str = acse.CSTA_APPLICATION_CONTEXT
    result: int = 0
    diagnostic: tuple[str, int] = ("acse-service-user", 1)
    csta_user_information: Any = PANASONIC_USER_INFORMATION
    protocol_version: tuple[bytes, int] | None = VERSION1
    other: Mapping[str, Any] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return self.result == 0


@dataclass(frozen=True)
class RLRQ:
    """Release request; ``reason`` normal 0, urgent 1, user-defined 30, None when absent."""

    reason: int | None = None
    other: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RLRE:
    """Release response; ``reason`` normal 0, not-finished 1, user-defined 30, None when absent."""

    reason: int | None = None
    other: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ABRT:
    """Abort; ``source`` acse-service-user 0 or acse-service-provider 1, ``diagnostic`` the
    ABRT-diagnostic name (e.g. ``"authentication-failure"``), its number when X.227 names none,
    or None."""

    source: int = 0
    diagnostic: str | int | None = None
    other: Mapping[str, Any] = field(default_factory=dict)


APDU: TypeAlias = AARQ | AARE | RLRQ | RLRE | ABRT | Invoke | ReturnResult | ReturnError | Reject


def _csta_version(information: Any) -> tuple[bytes, int] | None:
    if information is None:
        return None
    version: tuple[bytes, int] = information[1]["cSTAVersion"]
    return version


def _version_names(version: tuple[bytes, int] | None) -> frozenset[str]:
    if version is None:
        return frozenset()
    octets, bits = version
    names = acse.CSTAVersion.namedValues
    return frozenset(
        names.getName(bit) or f"bit{bit}"
        for bit in range(bits)
        if octets[bit // 8] & (0x80 >> (bit % 8))
    )


# --------------------------------------------------------------------------------------------
# decode


def decode(pdu: bytes) -> APDU:
    """The APDU in ``pdu`` (no length header). Raises only :class:`DecodeError`."""
    pdu = bytes(pdu)
    if not pdu:
        raise DecodeError("empty PDU", 0)
    first = pdu[0]
    if 0x60 <= first <= 0x64:
        return _decode_acse(pdu)
    if 0xA1 <= first <= 0xA4:
        return _decode_rose(pdu, _decode_rose_fields)
    raise RejectableError(
        f"first octet 0x{first:02x} is neither an ACSE APDU ([APPLICATION 0..4], 0x60..0x64)"
        " nor a ROSE PDU ([1]..[4], 0xa1..0xa4)",
        0,
        ("general", "unrecognizedPDU"),
        None,
    )


def _readable_invoke_id(pdu: bytes) -> int | None:
    """The invokeId of a ROSE PDU too damaged to decode, if its first component is intact."""
    end = len(pdu)
    if end < 2:
        return None
    length = pdu[1]
    pos = 2 + (length & 0x7F if length > 0x80 else 0)
    if pos >= end or pdu[pos] != 0x02:
        return None
    try:
        return read_integer(pdu, *read_tlv(pdu, pos, end))
    except DecodeError:
        return None


def _present(choice: tuple[str, Any]) -> int | None:
    """InvokeId (and linkedId) value: the INTEGER, or None for ``absent``."""
    return choice[1] if choice[0] == "present" else None


def check_invoke(pdu: bytes) -> None:
    """Check that ``pdu`` is a ROSE invoke with a local opcode, leaving its argument untyped.

    This is all a multiplexer needs to know before it passes on an operation it has no use
    for: the switch types the argument and answers for itself, whatever edition or vendor the
    operation comes from. Raises :class:`RejectableError` with the problem to answer.
    """
    _decode_rose(pdu, _check_invoke_fields)


def _check_invoke_fields(pdu: bytes) -> None:
    kind, value = values.decode(rose.ROS, pdu, path="ROSE")
    invoke_id = _present(value["invokeId"])
    if kind != "invoke":
        raise RejectableError(
            f"{kind} where an invoke was expected", 0, ("general", "unrecognizedPDU"), invoke_id
        )
    if value["opcode"][0] != "local":
        raise RejectableError(
            f"invoke: global operation code {value['opcode'][1]}: CSTA uses local codes only",
            0,
            ("invoke", "unrecognizedOperation"),
            invoke_id,
        )


def _decode_rose(pdu: bytes, fields: Callable[[bytes], _T]) -> _T:
    """``fields`` of ``pdu``, with its decode errors turned into the reject that answers them."""
    try:
        return fields(pdu)
    except RejectableError as exc:
        if _well_formed(pdu):
            raise
        exc.reject = ("general", "badlyStructuredPDU")
        raise
    except DecodeError as exc:
        if pdu[0] == 0xA4:
            raise  # X.880: a reject is never answered
        problem = "mistypedPDU" if _well_formed(pdu) else "badlyStructuredPDU"
        raise RejectableError(
            exc.reason, exc.offset, ("general", problem), _readable_invoke_id(pdu)
        ) from None


def _well_formed(pdu: bytes) -> bool:
    """Whether ``pdu`` is one valid BER TLV: a PDU that is not is badly structured (X.880)."""
    try:
        ber.validate(pdu)
    except DecodeError:
        return False
    return True


def _decode_rose_fields(pdu: bytes) -> APDU:
    located: dict[str, int] = {}
    kind, value = values.decode(rose.ROS, pdu, path="ROSE", open_types=located)
    invoke_id = _present(value["invokeId"])
    if kind == "invoke":
        return _decode_invoke(pdu, value, invoke_id, located)
    if kind == "returnResult":
        return _decode_result(pdu, value, invoke_id, located)
    if kind == "returnError":
        return _decode_error(pdu, value, invoke_id, located)
    problem_kind, number = value["problem"]
    name = _PROBLEMS[problem_kind].namedValues.getName(number)
    return Reject(invoke_id, (problem_kind, name if name is not None else str(number)))


def _components(pdu: bytes, pos: int) -> list[int]:
    """Where the components of the (already decoded) constructed TLV at ``pos`` start."""
    start, stop = read_tlv(pdu, pos, len(pdu))
    offsets = []
    while start < stop:
        offsets.append(start)
        start = read_tlv(pdu, start, stop)[1]
    return offsets


def _operation(
    code: tuple[str, Any],
    what: str,
    reject: tuple[str, str],
    invoke_id: int | None,
    at: Callable[[], int],
) -> Operation:
    """The operation of a local ``code``; ``at`` finds the opcode's offset, needed only to
    report an error, so that a PDU that decodes is not walked again for it."""
    if code[0] != "local":
        raise RejectableError(
            f"{what}: global operation code {code[1]}: CSTA uses local codes only",
            at(),
            reject,
            invoke_id,
        )
    operation = BY_CODE.get(code[1])
    if operation is None:
        raise RejectableError(f"{what}: unknown operation code {code[1]}", at(), reject, invoke_id)
    return operation


def _typed(
    spec: type[Asn1Item],
    data: bytes,
    path: str,
    offset: int,
    reject: tuple[str, str],
    invoke_id: int | None,
) -> Any:
    try:
        return values.decode(spec, data, path=path, offset=offset)
    except DecodeError as exc:
        raise RejectableError(exc.reason, exc.offset, reject, invoke_id) from None


def _decode_invoke(
    pdu: bytes, value: dict[str, Any], invoke_id: int | None, located: dict[str, int]
) -> Invoke:
    linked = value.get("linkedId")

    def opcode_at() -> int:
        return _components(pdu, 0)[1 if linked is None else 2]

    reject_unknown = ("invoke", "unrecognizedOperation")
    operation = _operation(value["opcode"], "invoke", reject_unknown, invoke_id, opcode_at)
    linked_id = None if linked is None else _present(linked)
    mistyped = ("invoke", "mistypedArgument")
    if "argument" not in value:
        raise RejectableError(
            f"{operation.name}: invoke without argument", len(pdu), mistyped, invoke_id
        )
    offset = located["ROSE.invoke.argument"]
    argument = _typed(
        operation.argument, value["argument"], operation.name, offset, mistyped, invoke_id
    )
    return Invoke(invoke_id, operation.code, argument, linked_id)


def _decode_result(
    pdu: bytes, value: dict[str, Any], invoke_id: int | None, located: dict[str, int]
) -> ReturnResult:
    if "result" not in value:
        return ReturnResult(invoke_id)

    def opcode_at() -> int:
        return _components(pdu, _components(pdu, 0)[1])[0]

    unknown = ("returnResult", "unrecognizedInvocation")
    operation = _operation(value["result"]["opcode"], "returnResult", unknown, invoke_id, opcode_at)
    if operation.result is None:
        raise RejectableError(
            f"{operation.name} has no result",
            opcode_at(),
            ("returnResult", "resultResponseUnexpected"),
            invoke_id,
        )
    offset = located["ROSE.returnResult.result.result"]
    result = _typed(
        operation.result,
        value["result"]["result"],
        f"{operation.name} result",
        offset,
        ("returnResult", "mistypedResult"),
        invoke_id,
    )
    return ReturnResult(invoke_id, operation.code, result)


def _decode_error(
    pdu: bytes, value: dict[str, Any], invoke_id: int | None, located: dict[str, int]
) -> ReturnError:
    kind, code = value["errcode"]
    known = ERRORS_BY_CODE.get(code) if kind == "local" else None
    if known is None:
        raise RejectableError(
            f"returnError: unknown error code {code}",
            _components(pdu, 0)[1],
            ("returnError", "unrecognizedError"),
            invoke_id,
        )
    if "parameter" not in value:
        return ReturnError(invoke_id, code, None)
    offset = located["ROSE.returnError.parameter"]
    mistyped = ("returnError", "mistypedParameter")
    error = _typed(known.parameter, value["parameter"], known.name, offset, mistyped, invoke_id)
    return ReturnError(invoke_id, code, error)


def _decode_acse(pdu: bytes) -> APDU:
    located: dict[str, int] = {}
    kind, fields = values.decode(acse.ACSE_apdu, pdu, path="ACSE", open_types=located)
    if kind == "aarq":
        return _decode_aarq(fields, located)
    if kind == "aare":
        return _decode_aare(fields, located)
    if kind == "rlrq":
        return RLRQ(fields.pop("reason", None), fields)
    if kind == "rlre":
        return RLRE(fields.pop("reason", None), fields)
    source = fields.pop("abort-source")
    return ABRT(source, fields.pop("abort-diagnostic", None), fields)


def _take_csta_user_information(fields: dict[str, Any], path: str, located: dict[str, int]) -> Any:
    """Pop user-information when it is the one CSTA EXTERNAL and return its decoded value."""
    information = fields.get("user-information")
    if information is None or len(information) != 1:
        return None
    external = information[0]
    encoding = external["encoding"]
    if set(external) != {"direct-reference", "encoding"} or encoding[0] != "single-ASN1-type":
        return None
    if external["direct-reference"] != acse.CSTA_USER_INFORMATION_SYNTAX:
        return None
    inner_path = f"ACSE.{path}.user-information[0].encoding.single-ASN1-type"
    value = values.decode(
        acse.ACSEUserInformationForCSTA,
        encoding[1],
        path=f"{path} user-information",
        offset=located[inner_path],
    )
    del fields["user-information"]
    return value


def _decode_aarq(fields: dict[str, Any], located: dict[str, int]) -> AARQ:
    context = fields.pop("aSO-context-name")
    protocol_version = fields.pop("protocol-version", None)
    csta = _take_csta_user_information(fields, "aarq", located)
    user = password = reference = None
    authentication = fields.get("calling-authentication-value")
    if authentication is not None and authentication[0] == "external":
        external = authentication[1]
        encoding = external["encoding"]
        if encoding[0] == "single-ASN1-type" and set(external) <= {"direct-reference", "encoding"}:
            inner = "ACSE.aarq.calling-authentication-value.external.encoding.single-ASN1-type"
            login = values.decode(
                acse.SenderAuthentication, encoding[1], path="aarq login", offset=located[inner]
            )
            user = login["authentication-name"]
            password = login["authentication-password"]
            reference = external.get("direct-reference")
            del fields["calling-authentication-value"]
    return AARQ(context, csta, user, password, reference, protocol_version, fields)


def _decode_aare(fields: dict[str, Any], located: dict[str, int]) -> AARE:
    context = fields.pop("aSO-context-name")
    result = fields.pop("result")
    diagnostic = fields.pop("result-source-diagnostic")
    protocol_version = fields.pop("protocol-version", None)
    csta = _take_csta_user_information(fields, "aare", located)
    return AARE(context, result, diagnostic, csta, protocol_version, fields)


# --------------------------------------------------------------------------------------------
# encode


def encode(apdu: APDU) -> bytes:
    """BER of ``apdu``; :class:`ValueError` naming the field when a value does not fit."""
    if isinstance(apdu, Invoke):
        return _encode_invoke(apdu)
    if isinstance(apdu, ReturnResult):
        return _encode_result(apdu)
    if isinstance(apdu, ReturnError):
        return _encode_error(apdu)
    if isinstance(apdu, Reject):
        return _encode_reject(apdu)
    return values.encode(acse.ACSE_apdu, _acse_value(apdu), path="ACSE")


def _invoke_id(invoke_id: int | None) -> tuple[str, int | None]:
    return ("absent", None) if invoke_id is None else ("present", invoke_id)


def _known_operation(opcode: int) -> Operation:
    operation = BY_CODE.get(opcode)
    if operation is None:
        raise ValueError(f"unknown operation code {opcode}")
    return operation


def _encode_invoke(apdu: Invoke) -> bytes:
    operation = _known_operation(apdu.opcode)
    fields: dict[str, Any] = {"invokeId": _invoke_id(apdu.invoke_id)}
    if apdu.linked_id is not None:
        fields["linkedId"] = ("present", apdu.linked_id)
    fields["opcode"] = ("local", apdu.opcode)
    if apdu.argument is not None:
        fields["argument"] = values.encode(operation.argument, apdu.argument, operation.name)
    return values.encode(rose.ROS, ("invoke", fields), path="ROSE")


def _encode_result(apdu: ReturnResult) -> bytes:
    fields: dict[str, Any] = {"invokeId": _invoke_id(apdu.invoke_id)}
    if apdu.opcode is not None:
        operation = _known_operation(apdu.opcode)
        if operation.result is None:
            raise ValueError(f"{operation.name} has no result")
        result = values.encode(operation.result, apdu.result, f"{operation.name} result")
        fields["result"] = {"opcode": ("local", apdu.opcode), "result": result}
    return values.encode(rose.ROS, ("returnResult", fields), path="ROSE")


def _encode_error(apdu: ReturnError) -> bytes:
    known = ERRORS_BY_CODE.get(apdu.errcode)
    if known is None:
        raise ValueError(f"unknown error code {apdu.errcode}")
    fields: dict[str, Any] = {
        "invokeId": _invoke_id(apdu.invoke_id),
        "errcode": ("local", apdu.errcode),
    }
    if apdu.error is not None:
        fields["parameter"] = values.encode(known.parameter, apdu.error, known.name)
    return values.encode(rose.ROS, ("returnError", fields), path="ROSE")


def _encode_reject(apdu: Reject) -> bytes:
    kind, name = apdu.problem
    problems = _PROBLEMS.get(kind)
    if problems is None:
        raise ValueError(f"reject problem kind {kind!r} is not one of {', '.join(_PROBLEMS)}")
    number = problems.namedValues.getValue(name) if name in problems.namedValues else None
    if number is None:
        if not name.isdigit():
            known = ", ".join(problems.namedValues.keys())
            raise ValueError(f"reject problem {name!r} is not one of {known}")
        number = int(name)
    fields = {"invokeId": _invoke_id(apdu.invoke_id), "problem": (kind, number)}
    return values.encode(rose.ROS, ("reject", fields), path="ROSE")


def _with_other(fields: dict[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    clash = set(fields) & set(other)
    if clash:
        raise ValueError(f"'other' repeats {sorted(clash)}, which have fields of their own")
    return {**fields, **other}


def _user_information(information: Any) -> list[dict[str, Any]]:
    inner = values.encode(acse.ACSEUserInformationForCSTA, information, "user-information")
    return [
        {
            "direct-reference": acse.CSTA_USER_INFORMATION_SYNTAX,
            "encoding": ("single-ASN1-type", inner),
        }
    ]


def _acse_value(apdu: APDU) -> tuple[str, dict[str, Any]]:
    if isinstance(apdu, AARQ | AARE):
        fields: dict[str, Any] = {}
        if apdu.protocol_version is not None:
            fields["protocol-version"] = apdu.protocol_version
        fields["aSO-context-name"] = apdu.context
        if apdu.csta_user_information is not None:
            fields["user-information"] = _user_information(apdu.csta_user_information)
        if isinstance(apdu, AARE):
            fields["result"] = apdu.result
            fields["result-source-diagnostic"] = apdu.diagnostic
            return "aare", _with_other(fields, apdu.other)
        if apdu.user is not None or apdu.password is not None:
            fields["calling-authentication-value"] = _login(apdu)
        return "aarq", _with_other(fields, apdu.other)
    if isinstance(apdu, RLRQ | RLRE):
        fields = {} if apdu.reason is None else {"reason": apdu.reason}
        return ("rlrq" if isinstance(apdu, RLRQ) else "rlre"), _with_other(fields, apdu.other)
    if isinstance(apdu, ABRT):
        fields = {"abort-source": apdu.source}
        if apdu.diagnostic is not None:
            fields["abort-diagnostic"] = apdu.diagnostic
        return "abrt", _with_other(fields, apdu.other)
    raise ValueError(f"not an APDU: {apdu!r}")


def _login(apdu: AARQ) -> tuple[str, dict[str, Any]]:
    if apdu.user is None or apdu.password is None:
        raise ValueError("a login needs both user and password")
    login = values.encode(
        acse.SenderAuthentication,
        {"authentication-name": apdu.user, "authentication-password": apdu.password},
        "aarq login",
    )
    external: dict[str, Any] = {"encoding": ("single-ASN1-type", login)}
    if apdu.login_reference is not None:
        external["direct-reference"] = apdu.login_reference
    return "external", external


# --------------------------------------------------------------------------------------------
# builders


def aarq(user: str | None = None, password: str | None = None) -> bytes:
    """The AARQ a Panasonic client sends, with ecsta's login when ``user`` is given."""
    return encode(AARQ(user=user, password=password))


#: The AARE a Panasonic PBX answers an AARQ with; existing applications compare it byte for byte.
ACCEPTED_AARE: bytes = encode(AARE())


def aare_rejected(result: int, diagnostic: int) -> bytes:
    """AARE refusing an association: ``result`` 1 rejected-permanent or 2 rejected-transient,
    ``diagnostic`` an acse-service-user reason, e.g. 13 authentication-failure, 14
    authentication-required."""
    if result not in (1, 2):
        raise ValueError(f"a rejection has result 1 or 2, not {result}")
    rejection = AARE(
        result=result, diagnostic=("acse-service-user", diagnostic), csta_user_information=None
    )
    return encode(rejection)


def universal_failure(kind: str, value: str | int | None) -> tuple[str, str | int | None]:
    """The UniversalFailure value ``(kind, value)``, e.g. ``("operation", "generic")``, checked
    against the type so that a misspelt name fails here rather than at encoding."""
    failure = (kind, value)
    values.from_value(UniversalFailure, failure, "universalFailure")
    return failure


def return_error(invoke_id: int | None, kind: str, value: str | int | None) -> bytes:
    """returnError universalFailure ``(kind, value)`` answering ``invoke_id``: the one way
    ecsta refuses an operation (``("unspecified", None)`` when it cannot say why)."""
    failure = universal_failure(kind, value)
    return encode(ReturnError(invoke_id, UNIVERSAL_FAILURE.code, failure))


def reject(invoke_id: int | None, problem: tuple[str, str]) -> bytes:
    """ROSE reject of ``invoke_id`` (None when the invokeId could not be read), e.g.
    ``reject(5, ("invoke", "unrecognizedOperation"))``."""
    return encode(Reject(invoke_id, problem))


def event_report(invoke_id: int, cross_ref: bytes, group: str, event: str, value: Any) -> bytes:
    """cSTAEventReport invoke, e.g. ``event_report(5, b"\\x01", "callControlEvents",
    "delivered", {...})``."""
    argument = {"crossRefIdentifier": cross_ref, "eventSpecificInfo": (group, (event, value))}
    return encode(Invoke(invoke_id, CSTA_EVENT_REPORT, argument))
