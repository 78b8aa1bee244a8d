"""The 2-byte length framing under every way TCP can split and merge PDUs."""

from hypothesis import given, settings
from hypothesis import strategies as st
from twisted.trial.unittest import SynchronousTestCase

from ecsta.wire.errors import DecodeError
from ecsta.wire.framing import FrameDecoder, FramingError, frame
from tests.ber_pdus import AARQ


class FrameTests(SynchronousTestCase):
    def test_header_counts_the_pdu_only(self) -> None:
        self.assertEqual(frame(AARQ)[:2], b"\x00\x25")
        self.assertEqual(frame(AARQ)[2:], AARQ)

    def test_frame_refuses_empty_and_oversized(self) -> None:
        self.assertRaises(ValueError, frame, b"")
        self.assertRaises(ValueError, frame, b"x" * 65536)
        self.assertEqual(len(frame(b"x" * 65535)), 65537)


class DecoderTests(SynchronousTestCase):
    def test_byte_by_byte(self) -> None:
        decoder = FrameDecoder()
        stream = frame(AARQ) + frame(b"\x64\x03\x80\x01\x00")
        out: list[bytes] = []
        for i in range(len(stream)):
            out += decoder.feed(stream[i : i + 1])
        self.assertEqual(out, [AARQ, b"\x64\x03\x80\x01\x00"])
        self.assertEqual(decoder.buffered, 0)

    def test_merged_with_partial_tail(self) -> None:
        decoder = FrameDecoder()
        stream = frame(b"a") + frame(b"bb") + frame(b"ccc")
        self.assertEqual(decoder.feed(stream[:-1]), [b"a", b"bb"])
        self.assertEqual(decoder.buffered, 4)
        self.assertEqual(decoder.feed(stream[-1:]), [b"ccc"])

    def test_zero_length_is_a_framing_error_after_the_good_pdus(self) -> None:
        decoder = FrameDecoder()
        with self.assertRaises(FramingError) as caught:
            decoder.feed(frame(b"ok") + b"\x00\x00rest")
        self.assertEqual(caught.exception.pdus, [b"ok"])
        self.assertIsInstance(caught.exception, DecodeError)
        self.assertEqual(decoder.buffered, 0)
        self.assertRaises(FramingError, decoder.feed, frame(b"later"))

    def test_oversized_frame_is_refused_before_it_is_buffered(self) -> None:
        decoder = FrameDecoder(max_frame=1024)
        self.assertRaises(FramingError, decoder.feed, b"\x04\x01")
        self.assertEqual(decoder.buffered, 0)

    def test_buffer_stays_bounded_by_one_frame(self) -> None:
        decoder = FrameDecoder(max_frame=1000)
        decoder.feed(b"\x03\xe8" + b"x" * 999)
        self.assertEqual(decoder.buffered, 1001)
        self.assertEqual(decoder.feed(b"y"), [b"x" * 999 + b"y"])

    def test_bad_max_frame(self) -> None:
        self.assertRaises(ValueError, FrameDecoder, 0)
        self.assertRaises(ValueError, FrameDecoder, 70000)

    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(st.binary(min_size=1, max_size=300), max_size=20),
        st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=50),
    )
    def test_any_chunking_gives_the_same_pdus(self, pdus: list[bytes], cuts: list[int]) -> None:
        stream = b"".join(frame(p) for p in pdus)
        decoder = FrameDecoder()
        out: list[bytes] = []
        pos = 0
        i = 0
        while pos < len(stream):
            step = cuts[i % len(cuts)]
            out += decoder.feed(stream[pos : pos + step])
            pos += step
            i += 1
        self.assertEqual(out, pdus)
