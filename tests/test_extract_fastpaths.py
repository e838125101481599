"""Fast paths of the extractor against the slow computations they stand for, on our own
sentences and on random texts (hypothesis): each must give exactly what the slow one gives."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import words
from geo.extract import events

_SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_WORDS = [("north", "south", "east", "west"), ("day", "night", "jan"), ("kill", "dead"), ("seen",)]
_PIECES = ["North", "SOUTH", "east", "weſt", "Wednesday", "night", "killed", "dead", "\u0130", "\u212aill",
           "seen", "x", " ", ",", "é", "1990", "2019", "20", "19"]
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=10).map("".join)


def _lacks_words_slow(text: str, wanted: tuple[str, ...]) -> bool:
    if not text.isascii() and any(odd in text for odd in words.CASE_ODD):
        return False
    return not any(w in text.lower() for w in wanted)


@given(st.lists(st.tuples(_TEXTS, st.sampled_from(_WORDS)), max_size=8))
@_SETTINGS
def test_lacks_words_asked_again_and_again_answers_as_the_first_time(asks) -> None:
    # The same text asked about with other words, then another text, then the first again:
    # the remembered lower-cased text never answers for another text.
    for text, wanted in asks + asks[::-1]:
        assert words.lacks_words(text, wanted) == _lacks_words_slow(text, wanted), (text, wanted)


def test_lacks_words_keeps_no_answer_of_an_equal_but_other_text() -> None:
    first = "".join(["North", "ern"])
    assert not words.lacks_words(first, ("north",))
    assert words.lacks_words("Southern", ("north",))
    assert not words.lacks_words("".join(["North", "ern"]), ("north",))


@given(_TEXTS, st.lists(st.integers(min_value=-3000, max_value=400), max_size=3))
@_SETTINGS
def test_background_check_with_no_year_digits_answers_as_the_pattern(text: str, offsets: list[int]) -> None:
    published = dt.date(2014, 1, 5)
    dates = [events.DateMention(published + dt.timedelta(days=o), 1, 0, 1, "x") for o in offsets]
    slow = (not any(abs((d.date - published).days) <= 31 for d in dates)) and (
        (not words.lacks_words(text, events._SUMMARY_WORDS) and events._WAR_SUMMARY.search(text) is not None)
        or any(published.year - int(m.group(1)) >= 2
               and not events._YEAR_ASIDE.search(text[max(0, m.start() - 60):m.start()])
               for m in events._YEAR.finditer(text)))
    assert events.is_background(text, published, dates) == slow
