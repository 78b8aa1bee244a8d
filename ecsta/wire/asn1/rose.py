"""ROSE PDUs as CSTA carries them.

``Remote-Operations-Generic-ROS-PDUs {joint-iso-itu-t remote-operations(4) generic-ROS-PDUs(6)
version1(0)}`` (ITU-T X.880), DEFINITIONS IMPLICIT TAGS, with its parameterisation resolved the
way every CSTA implementation does: operation and error codes are ``Code`` (CSTA uses ``local``
only), and argument, result and parameter are open types (ANY) whose type the operation or error
code selects; :mod:`ecsta.wire.apdu` decodes them with the types of the operations table.
"""

from pyasn1.type import namedtype, namedval, tag, univ


def _context(number: int, constructed: bool = False) -> tag.Tag:
    form = tag.tagFormatConstructed if constructed else tag.tagFormatSimple
    return tag.Tag(tag.tagClassContext, form, number)


class InvokeId(univ.Choice):
    """Any size of INTEGER: real clients reuse ids, so nothing here assumes they are unique."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("present", univ.Integer()),
        namedtype.NamedType("absent", univ.Null()),
    )


class Code(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("local", univ.Integer()),
        namedtype.NamedType("global", univ.ObjectIdentifier()),
    )


class Invoke(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("invokeId", InvokeId()),
        namedtype.OptionalNamedType(
            "linkedId",
            univ.Choice(
                componentType=namedtype.NamedTypes(
                    namedtype.NamedType("present", univ.Integer().subtype(implicitTag=_context(0))),
                    namedtype.NamedType("absent", univ.Null().subtype(implicitTag=_context(1))),
                )
            ),
        ),
        namedtype.NamedType("opcode", Code()),
        namedtype.OptionalNamedType("argument", univ.Any()),
    )


class ReturnResult(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("invokeId", InvokeId()),
        namedtype.OptionalNamedType(
            "result",
            univ.Sequence(
                componentType=namedtype.NamedTypes(
                    namedtype.NamedType("opcode", Code()),
                    namedtype.NamedType("result", univ.Any()),
                )
            ),
        ),
    )


class ReturnError(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("invokeId", InvokeId()),
        namedtype.NamedType("errcode", Code()),
        namedtype.OptionalNamedType("parameter", univ.Any()),
    )


class GeneralProblem(univ.Integer):
    namedValues = namedval.NamedValues(
        ("unrecognizedPDU", 0), ("mistypedPDU", 1), ("badlyStructuredPDU", 2)
    )


class InvokeProblem(univ.Integer):
    namedValues = namedval.NamedValues(
        ("duplicateInvocation", 0),
        ("unrecognizedOperation", 1),
        ("mistypedArgument", 2),
        ("resourceLimitation", 3),
        ("releaseInProgress", 4),
        ("unrecognizedLinkedId", 5),
        ("linkedResponseUnexpected", 6),
        ("unexpectedLinkedOperation", 7),
    )


class ReturnResultProblem(univ.Integer):
    namedValues = namedval.NamedValues(
        ("unrecognizedInvocation", 0), ("resultResponseUnexpected", 1), ("mistypedResult", 2)
    )


class ReturnErrorProblem(univ.Integer):
    namedValues = namedval.NamedValues(
        ("unrecognizedInvocation", 0),
        ("errorResponseUnexpected", 1),
        ("unrecognizedError", 2),
        ("unexpectedError", 3),
        ("mistypedParameter", 4),
    )


class Reject(univ.Sequence):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("invokeId", InvokeId()),
        namedtype.NamedType(
            "problem",
            univ.Choice(
                componentType=namedtype.NamedTypes(
                    namedtype.NamedType(
                        "general", GeneralProblem().subtype(implicitTag=_context(0))
                    ),
                    namedtype.NamedType("invoke", InvokeProblem().subtype(implicitTag=_context(1))),
                    namedtype.NamedType(
                        "returnResult", ReturnResultProblem().subtype(implicitTag=_context(2))
                    ),
                    namedtype.NamedType(
                        "returnError", ReturnErrorProblem().subtype(implicitTag=_context(3))
                    ),
                )
            ),
        ),
    )


class ROS(univ.Choice):
    componentType = namedtype.NamedTypes(
        namedtype.NamedType("invoke", Invoke().subtype(implicitTag=_context(1, True))),
        namedtype.NamedType("returnResult", ReturnResult().subtype(implicitTag=_context(2, True))),
        namedtype.NamedType("returnError", ReturnError().subtype(implicitTag=_context(3, True))),
        namedtype.NamedType("reject", Reject().subtype(implicitTag=_context(4, True))),
    )
