"""Shortcuts of the extractor (round five) against the computations they stand for, on our own
words and on random texts (hypothesis): each must give exactly what the slow one gives."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.extract import events

_SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_NEGATION_PIECES = ["no", "No", "NO", "casino", "not", "never", "been", "without", "absence", "halt", "cessation",
                    "lack", "end", "weekend", "of", "to", "the", "heavy", "air-", "ſ", "é", "\u212a", " ", "  ", "\t",
                    "\n", "\x1c", "\xa0", ",", "(", "-", "x"]


@given(st.lists(st.sampled_from(_NEGATION_PIECES), max_size=14).map(" ".join)
       | st.lists(st.sampled_from(_NEGATION_PIECES), max_size=14).map("".join))
@_SETTINGS
def test_negation_check_answers_as_the_pattern(before: str) -> None:
    text = before + "airstrikes"
    start = len(before)
    slow = events._NEGATED_BEFORE.search(text, max(0, start - events._NEGATION_REACH), start) is not None
    assert events.is_negated(text, start) == slow, before


def test_negation_check_reads_four_words_back() -> None:
    text = "the absence of the heavy airstrikes"
    assert events.is_negated(text, text.index("airstrikes"))
    assert not events.is_negated("the weekend heavy airstrikes", len("the weekend heavy "))
