"""ACSE association PDUs: the Panasonic AARQ and AARE, the login, release and abort."""

from typing import Any

from twisted.trial.unittest import SynchronousTestCase

from ecsta.wire import apdu, values
from ecsta.wire.apdu import AARE, AARQ, ABRT, RLRE, RLRQ, RejectableError
from ecsta.wire.asn1 import acse
from ecsta.wire.errors import DecodeError
from tests.apdu_oracle import oracle, oracle_decode
from tests.ber_pdus import AARE as PANASONIC_AARE
from tests.ber_pdus import AARQ as PANASONIC_AARQ


def _hex(text: str) -> bytes:
    return bytes.fromhex(text)


# PROTOCOL.md section 2, byte for byte.
VERSION3_AARQ = _hex("60 14 80 09 00 76 65 72 73 69 6f 6e 33 a1 07 06 05 2b 0c 00 81 5a")

# docs/login.md: user "app", password "secret", without and with direct-reference.
LOGIN_AARQ = _hex(
    "60 38 80 02 07 80 a1 07 06 05 2b 0c 00 81 5a"
    " ac 13 a2 11 a0 0f 30 0d 80 03 61 70 70 81 06 73 65 63 72 65 74"
    " be 14 28 12 06 07 2b 0c 00 82 1d 81 48 a0 07 a0 05 03 03 00 08 00"
)
LOGIN_AARQ_WITH_REFERENCE = _hex(
    "60 3d 80 02 07 80 a1 07 06 05 2b 0c 00 81 5a"
    " ac 18 a2 16 06 03 52 03 01 a0 0f 30 0d 80 03 61 70 70 81 06 73 65 63 72 65 74"
    " be 14 28 12 06 07 2b 0c 00 82 1d 81 48 a0 07 a0 05 03 03 00 08 00"
)

# The login type as docs/login.md writes it, for asn1tools to compile independently.
SENDER_AUTHENTICATION_ASN1 = """
Login DEFINITIONS ::= BEGIN
SenderAuthentication ::= SEQUENCE {
    authentication-name      [0] IMPLICIT UTF8String,
    authentication-password  [1] IMPLICIT UTF8String }
END
"""


class PanasonicAssociationTests(SynchronousTestCase):
    def test_aarq_decodes(self) -> None:
        request = apdu.decode(PANASONIC_AARQ)
        assert isinstance(request, AARQ)
        self.assertEqual(request.context, "1.3.12.0.218")
        self.assertEqual(request.protocol_version, (b"\x80", 1))
        self.assertEqual(request.csta_version, (b"\x08\x00", 16))
        self.assertEqual(request.csta_versions, frozenset({"versionFive"}))
        self.assertIsNone(request.user)
        self.assertIsNone(request.password)
        self.assertEqual(request.other, {})

    def test_aarq_encodes_back_and_is_what_aarq_builds(self) -> None:
        self.assertEqual(apdu.encode(apdu.decode(PANASONIC_AARQ)), PANASONIC_AARQ)
        self.assertEqual(apdu.aarq(), PANASONIC_AARQ)
        self.assertEqual(apdu.encode(AARQ()), PANASONIC_AARQ)

    def test_aare_decodes(self) -> None:
        response = apdu.decode(PANASONIC_AARE)
        assert isinstance(response, AARE)
        self.assertTrue(response.accepted)
        self.assertEqual(response.result, 0)
        self.assertEqual(response.diagnostic, ("acse-service-user", 1))
        self.assertEqual(response.csta_versions, frozenset({"versionFive"}))

    def test_aare_is_the_pbx_bytes(self) -> None:
        self.assertEqual(apdu.ACCEPTED_AARE, PANASONIC_AARE)
        self.assertEqual(apdu.encode(apdu.decode(PANASONIC_AARE)), PANASONIC_AARE)

    def test_oracle_agrees(self) -> None:
        for pdu, kind in ((PANASONIC_AARQ, "aarq"), (PANASONIC_AARE, "aare")):
            decoded = apdu.decode(pdu)
            assert isinstance(decoded, AARQ | AARE)
            got_kind, value = oracle_decode(pdu)
            self.assertEqual(got_kind, kind)
            self.assertEqual(value["aSO-context-name"], decoded.context)
            self.assertEqual(value["protocol-version"], decoded.protocol_version)
            (information,) = value["user-information"]
            self.assertEqual(information["external"]["direct-reference"], "1.3.12.0.285.200")
            self.assertEqual(
                information["ACSEUserInformationForCSTA"], decoded.csta_user_information
            )
        _, aare = oracle_decode(PANASONIC_AARE)
        self.assertEqual(aare["result"], 0)
        self.assertEqual(aare["result-source-diagnostic"], ("acse-service-user", 1))

    def test_lenient_version3_aarq(self) -> None:
        request = apdu.decode(VERSION3_AARQ)
        assert isinstance(request, AARQ)
        self.assertEqual(request.context, acse.CSTA_APPLICATION_CONTEXT)
        self.assertEqual(request.protocol_version, (b"version3", 64))
        self.assertIsNone(request.csta_user_information)
        self.assertIsNone(request.csta_version)
        self.assertEqual(request.csta_versions, frozenset())
        self.assertEqual(apdu.encode(request), VERSION3_AARQ)
        kind, value = oracle_decode(VERSION3_AARQ)
        self.assertEqual((kind, value["protocol-version"]), ("aarq", (b"version3", 64)))

    def test_absent_protocol_version(self) -> None:
        request = AARQ(protocol_version=None, csta_user_information=None)
        pdu = apdu.encode(request)
        self.assertEqual(pdu, _hex("60 09 a1 07 06 05 2b 0c 00 81 5a"))
        self.assertEqual(apdu.decode(pdu), request)
        # The standard's DEFAULT: the oracle reads version1 where nothing was sent.
        self.assertEqual(oracle_decode(pdu)[1]["protocol-version"], (b"\x80", 1))


class LoginTests(SynchronousTestCase):
    def test_login_without_direct_reference(self) -> None:
        request = apdu.decode(LOGIN_AARQ)
        assert isinstance(request, AARQ)
        self.assertEqual((request.user, request.password), ("app", "secret"))
        self.assertIsNone(request.login_reference)
        self.assertEqual(request.csta_versions, frozenset({"versionFive"}))
        self.assertEqual(request.other, {})
        self.assertEqual(apdu.aarq("app", "secret"), LOGIN_AARQ)

    def test_login_with_direct_reference(self) -> None:
        request = apdu.decode(LOGIN_AARQ_WITH_REFERENCE)
        assert isinstance(request, AARQ)
        self.assertEqual((request.user, request.password), ("app", "secret"))
        self.assertEqual(request.login_reference, "2.2.3.1")
        self.assertEqual(apdu.encode(request), LOGIN_AARQ_WITH_REFERENCE)

    def test_oracle_reads_both_forms_as_standard_externals(self) -> None:
        asn1tools = oracle().asn1tools
        login_type = asn1tools.compile_string(SENDER_AUTHENTICATION_ASN1, "ber")
        for pdu, reference in ((LOGIN_AARQ, None), (LOGIN_AARQ_WITH_REFERENCE, "2.2.3.1")):
            kind, value = oracle_decode(pdu)
            self.assertEqual(kind, "aarq")
            alternative, external = value["calling-authentication-value"]
            self.assertEqual(alternative, "external")
            self.assertEqual(external.get("direct-reference"), reference)
            encoding, inner = external["encoding"]
            self.assertEqual(encoding, "single-ASN1-type")
            self.assertEqual(
                login_type.decode("SenderAuthentication", inner),
                {"authentication-name": "app", "authentication-password": "secret"},
            )

    def test_utf8_login(self) -> None:
        pdu = apdu.aarq("Jürgen", "pässwört€")
        request = apdu.decode(pdu)
        assert isinstance(request, AARQ)
        self.assertEqual((request.user, request.password), ("Jürgen", "pässwört€"))
        self.assertIn("Jürgen".encode(), pdu)

    def test_password_stays_out_of_the_repr(self) -> None:
        request = apdu.decode(LOGIN_AARQ)
        self.assertNotIn("secret", repr(request))
        self.assertIn("app", repr(request))

    def test_login_needs_both_parts(self) -> None:
        with self.assertRaises(ValueError):
            apdu.aarq("app", None)
        with self.assertRaises(ValueError):
            apdu.aarq(None, "secret")

    def test_external_holding_something_else_is_a_decode_error(self) -> None:
        # single-ASN1-type holds an INTEGER, not a SenderAuthentication.
        pdu = _hex("60 14 a1 07 06 05 2b 0c 00 81 5a ac 09 a2 07 a0 05 02 03 01 00 01")
        with self.assertRaises(DecodeError) as caught:
            apdu.decode(pdu)
        self.assertNotIsInstance(caught.exception, RejectableError)
        self.assertIn("aarq login", str(caught.exception))
        self.assertEqual(caught.exception.offset, 17)

    def test_other_authentication_is_no_login(self) -> None:
        # calling-authentication-value charstring "pw": kept, but not a login.
        pdu = _hex("60 0f a1 07 06 05 2b 0c 00 81 5a ac 04 80 02 70 77")
        request = apdu.decode(pdu)
        assert isinstance(request, AARQ)
        self.assertIsNone(request.user)
        self.assertEqual(request.other, {"calling-authentication-value": ("charstring", "pw")})
        self.assertEqual(apdu.encode(request), pdu)
        self.assertEqual(
            oracle_decode(pdu)[1]["calling-authentication-value"], ("charstring", "pw")
        )


class OtherAarqFieldsTests(SynchronousTestCase):
    def test_standard_fields_a_client_may_add(self) -> None:
        request = AARQ(
            other={
                "calling-AP-title": ("ap-title-form2", "1.2.3.4"),
                "calling-AE-qualifier": ("aso-qualifier-form2", 7),
                "sender-acse-requirements": (b"\x80", 1),
                "mechanism-name": "2.2.3.1",
                "implementation-information": "ecsta",
            }
        )
        pdu = apdu.encode(request)
        self.assertEqual(apdu.decode(pdu), request)
        kind, value = oracle_decode(pdu)
        self.assertEqual(kind, "aarq")
        for name, expected in request.other.items():
            self.assertEqual(value[name], expected)

    def test_other_must_not_repeat_a_field(self) -> None:
        with self.assertRaises(ValueError):
            apdu.encode(AARQ(other={"aSO-context-name": "1.2.3"}))

    def test_unknown_component_is_a_decode_error(self) -> None:
        pdu = _hex("60 0c a1 07 06 05 2b 0c 00 81 5a 9f 30 00")
        with self.assertRaises(DecodeError) as caught:
            apdu.decode(pdu)
        self.assertIn("ACSE.aarq", str(caught.exception))
        self.assertEqual(caught.exception.offset, 11)

    def test_missing_context_name(self) -> None:
        with self.assertRaises(DecodeError) as caught:
            apdu.decode(_hex("60 04 80 02 07 80"))
        self.assertIn("aSO-context-name", str(caught.exception))

    def test_truncated_aarq(self) -> None:
        with self.assertRaises(DecodeError) as caught:
            apdu.decode(PANASONIC_AARQ[:-1])
        self.assertNotIsInstance(caught.exception, RejectableError)
        self.assertEqual(caught.exception.offset, 0)

    def test_bad_csta_user_information(self) -> None:
        # The CSTA EXTERNAL carries a NULL instead of ACSEUserInformationForCSTA.
        bad = _hex(
            "60 1a a1 07 06 05 2b 0c 00 81 5a be 0f 28 0d 06 07 2b 0c 00 82 1d 81 48 a0 02 05 00"
        )
        with self.assertRaises(DecodeError) as caught:
            apdu.decode(bad)
        self.assertIn("aarq user-information", str(caught.exception))
        self.assertEqual(caught.exception.offset, 26)
        # Under another direct-reference the EXTERNAL is not CSTA's: it is kept as it came.
        foreign = _hex("60 16 a1 07 06 05 2b 0c 00 81 5a be 0b 28 09 06 03 2b 0c 00 a0 02 05 00")
        request = apdu.decode(foreign)
        assert isinstance(request, AARQ)
        self.assertIsNone(request.csta_user_information)
        self.assertEqual(
            request.other["user-information"],
            [{"direct-reference": "1.3.12.0", "encoding": ("single-ASN1-type", b"\x05\x00")}],
        )
        self.assertEqual(apdu.encode(request), foreign)


class RejectionTests(SynchronousTestCase):
    def test_rejections(self) -> None:
        for result, diagnostic, name in (
            (1, 13, "authentication-failure"),
            (1, 14, "authentication-required"),
            (2, 1, "no-reason-given"),
        ):
            pdu = apdu.aare_rejected(result, diagnostic)
            response = apdu.decode(pdu)
            assert isinstance(response, AARE)
            self.assertFalse(response.accepted)
            self.assertEqual(response.result, result)
            self.assertEqual(response.diagnostic, ("acse-service-user", diagnostic))
            self.assertIsNone(response.csta_user_information)
            kind, value = oracle_decode(pdu)
            self.assertEqual(kind, "aare")
            self.assertEqual(value["result"], result)
            self.assertEqual(value["result-source-diagnostic"], ("acse-service-user", diagnostic))
            number = acse.Associate_source_diagnostic.componentType["acse-service-user"]
            self.assertEqual(number.asn1Object.namedValues.getName(diagnostic), name)

    def test_authentication_failure_bytes(self) -> None:
        self.assertEqual(
            apdu.aare_rejected(1, 13),
            _hex(
                "61 19 80 02 07 80 a1 07 06 05 2b 0c 00 81 5a a2 03 02 01 01 a3 05 a1 03 02 01 0d"
            ),
        )

    def test_a_rejection_is_not_an_acceptance(self) -> None:
        with self.assertRaises(ValueError):
            apdu.aare_rejected(0, 1)


class ReleaseAndAbortTests(SynchronousTestCase):
    def test_release_and_abort_round_trip_and_match_the_oracle(self) -> None:
        cases: list[tuple[str, apdu.APDU, str, dict[str, Any]]] = [
            ("62 03 80 01 00", RLRQ(0), "rlrq", {"reason": 0}),
            ("62 00", RLRQ(), "rlrq", {}),
            ("63 03 80 01 00", RLRE(0), "rlre", {"reason": 0}),
            ("64 03 80 01 00", ABRT(), "abrt", {"abort-source": 0}),
            (
                "64 06 80 01 01 81 01 05",
                ABRT(1, "authentication-failure"),
                "abrt",
                {"abort-source": 1, "abort-diagnostic": "authentication-failure"},
            ),
        ]
        for text, expected, kind, oracle_value in cases:
            pdu = _hex(text)
            self.assertEqual(apdu.decode(pdu), expected)
            self.assertEqual(apdu.encode(expected), pdu)
            self.assertEqual(oracle_decode(pdu), (kind, oracle_value))

    def test_abort_with_an_unknown_diagnostic_number(self) -> None:
        abort = apdu.decode(_hex("64 06 80 01 00 81 01 09"))
        self.assertEqual(abort, ABRT(0, 9))

    def test_spec_values_agree_with_the_oracle_encoder(self) -> None:
        module = oracle()
        value = {"abort-source": 0, "abort-diagnostic": "protocol-error"}
        ours = values.encode(acse.ACSE_apdu, ("abrt", value))
        self.assertEqual(ours, module.encode_acse("abrt", value))
