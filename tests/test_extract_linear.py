"""Extraction is linear in the text's length (issue 12: a 1 MB one-line file took 298 s).

Measured by operation count (Python-level calls, deterministic), never by wall-clock time: four
times the text must cost at most about four times the calls. Speed itself is in
benchmarks/bench_extract.py (--large)."""

from __future__ import annotations

import datetime as dt
import sys

import pytest

from geo.extract.text import MAX_SENTENCE_CHARS, SpanSet, sentences

# Many place mentions, triggers, actors, dates and masked names per sentence.
UNIT = ("Rebels clashed with government forces in Saraqib and Aleppo on Friday, killing 5 people. "
        "Russian warplanes struck Idlib, Maarat al-Numan and the village of Kafr Nubl near Hama. "
        "The Syrian Observatory for Human Rights said Jaish al-Islam shelled Douma in the capital's east. ")


def _calls(parser, text: str) -> int:
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        parser.extract_text(text, published=dt.date(2014, 1, 5))
    finally:
        sys.setprofile(None)
    return count


@pytest.mark.parametrize("separator", [" ", ", "], ids=["sentences", "one-endless-sentence"])
def test_four_times_the_text_costs_about_four_times_the_operations(parser, separator):
    unit = UNIT if separator == " " else UNIT.replace(". ", ", ")
    parser.extract_text(unit, published=dt.date(2014, 1, 5))  # warm caches
    small = _calls(parser, unit * 40)
    large = _calls(parser, unit * 160)
    assert large / small < 4.6, (small, large)


def test_a_large_text_with_many_mentions_finishes_with_its_events(parser):
    text = UNIT * 1500  # ~400 KB, ~9,000 place mentions on one line
    result = parser.extract_text(text, published=dt.date(2014, 1, 5))
    assert {e.location for e in result.events} >= {"Saraqib", "Idlib"}
    assert len(result.mentions) >= 9000


def test_sentences_are_bounded_in_length():
    text = "word " * 10_000  # no punctuation at all
    spans = sentences(text)
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in spans)
    assert "".join(s.text for s in spans).replace(" ", "") == text.replace(" ", "")


def test_span_set_answers_like_a_scan():
    intervals = [(0, 5), (3, 10), (20, 25), (22, 23), (40, 41)]
    spans = SpanSet(intervals)
    for pos in range(0, 50):
        assert spans.contains(pos) == any(s <= pos < e for s, e in intervals), pos
        for end in range(pos + 1, pos + 6):
            assert spans.overlaps(pos, end) == any(s < end and e > pos for s, e in intervals), (pos, end)
