"""Fast paths of the extractor against the slow computations they stand for, on our own
sentences and on random texts (hypothesis): each must give exactly what the slow one gives."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import words
from geo.extract import events, lexicon, resolve, toponyms
from geo.extract import text as text_mod

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


_WINDOW_PIECES = ["talks", "officials", "fled", "based", "in", "IN", "Into", "to", "at", "from", "the", "The", "x",
                  " ", "  ", "\t", "\n", "-", ",", "ſ", "é", "Aleppo", "into the", "sources"]


@given(st.lists(st.sampled_from(_WINDOW_PIECES), max_size=10).map("".join)
       | st.lists(st.sampled_from(_WINDOW_PIECES), max_size=10).map(" ".join))
@_SETTINGS
def test_spoken_before_check_answers_as_the_pattern(window: str) -> None:
    assert toponyms._spoken_before(window) == (lexicon.SPOKEN_BEFORE.search(window) is not None), window


def test_spoken_before_check_sees_a_preposition_far_before_the_end() -> None:
    # Long whitespace after the preposition and "the": the check reads words, not characters.
    window = "talks in" + " " * 20 + "the" + "\t" * 12
    assert toponyms._spoken_before(window) and lexicon.SPOKEN_BEFORE.search(window)


@given(st.lists(st.sampled_from(["a", "_", "é", "١", "²", " ", ";", "\n", "\t", "-", "…", "ß"]), max_size=8).map("".join))
@_SETTINGS
def test_spans_keep_what_holds_a_letter_or_digit(text: str) -> None:
    spans = text_mod.paragraphs(text) + text_mod.sentences(text)
    for span in spans:
        assert any(c.isalnum() for c in span.text)
    stripped = text.strip(" \t\r\n;")
    if "\n" not in text:
        assert text_mod.paragraphs(text) == ([] if not any(c.isalnum() for c in stripped) else
                                             [text_mod.Span(text.index(stripped), text.index(stripped) + len(stripped),
                                                            stripped)])


@given(st.lists(st.sampled_from(["Aleppo", " ", "\n", "\n\n", " \n \n", "x.", "\t"]), max_size=10).map("".join))
@_SETTINGS
def test_paragraphs_are_the_text_cut_at_blank_lines(text: str) -> None:
    slow: list = []
    start = 0
    for match in re.finditer(r"\n\s*\n", text):
        text_mod._append(slow, text, start, match.start())
        start = match.end()
    text_mod._append(slow, text, start, len(text))
    assert text_mod.paragraphs(text) == slow


@given(st.dictionaries(st.integers(0, 5), st.lists(st.sampled_from(["Idlib", "Hama", "Aleppo", "Homs"]), unique=True),
                       max_size=4))
@_SETTINGS
def test_most_named_governorates_are_counted_as_by_counter(per_sentence) -> None:
    from collections import Counter

    slow = [a for a, _ in Counter(a for named in per_sentence.values() for a in named).most_common()]
    assert resolve.most_named(per_sentence) == slow


# Clause boundaries as first written, the whole pattern ignoring case.
_CLAUSE_BOUNDARY_PLAIN = re.compile(
    r"[\s,:;](?:(?<=\s)\s*(?:[,:;]\s+|[–—-]{1,2}\s+|(?=(?:while|whereas|after|before|as|amid|but|and|when|where)\s))"
    r"|(?<=[,:;])\s+)",
    re.IGNORECASE,
)
_CLAUSE_PIECES = ["While", "WHILE", "whereas", "WhereAs", "where", "when", "after", "After", "before", "as", "AS",
                  "amid", "but", "BUT", "and", "And", "aſ", "Aſ", "w", "a", "b", "x", " ", "  ", "\n", ",", ":", ";",
                  "-", "--", "—", "–", "five"]


@given(st.lists(st.sampled_from(_CLAUSE_PIECES), max_size=14).map("".join)
       | st.lists(st.sampled_from(_CLAUSE_PIECES), max_size=14).map(" ".join))
@_SETTINGS
def test_clause_boundaries_are_those_of_the_plain_pattern(text: str) -> None:
    assert [m.span() for m in text_mod._CLAUSE_BOUNDARY.finditer(text)] == \
        [m.span() for m in _CLAUSE_BOUNDARY_PLAIN.finditer(text)], text


_COUNT_PIECES = ["one", "done", "Done", "ONE", "none", "twenty", "plenty", "12", "1,200", "x12", "_5", "dozens",
                 "a dozen", "hundreds", "people", "were", "killed", "dead", "died", "slain", "ſlain", " ", "-", ",",
                 "five", "alone", "seven", "eleven", "٣"]


@given(st.lists(st.sampled_from(_COUNT_PIECES), max_size=12).map(" ".join)
       | st.lists(st.sampled_from(_COUNT_PIECES), max_size=12).map("".join))
@_SETTINGS
def test_death_counts_found_word_starts_only_are_the_plain_pattern_s(text: str) -> None:
    dead = events._FATALITY_RES[0]
    tail = dead._named[0][1][len(events._COUNT):]
    plain = re.compile("(?:(?P<dead>" + events._NUM + tail + "))", re.IGNORECASE)
    assert [(m.span(), m.span("count"), m.lastgroup) for m in dead.finditer(text)] == \
        [(m.span(), m.span("count"), m.lastgroup) for m in plain.finditer(text)], text


_DIRECTION_PIECES = ["north", "North", "NORTH-EAST", "north-west", "northeastern", "southern", "ſouth", "east", "West",
                     "countryside", "outskirts", "of", "the", "city", "province", "rural", "parts", " ", "  ", "\n",
                     "x", "-", ",", "é", "Aleppo"]


@given(st.lists(st.sampled_from(_DIRECTION_PIECES), max_size=10).map(" ".join)
       | st.lists(st.sampled_from(_DIRECTION_PIECES), max_size=10).map("".join), st.integers(0, 6))
@_SETTINGS
def test_direction_before_a_name_is_the_pattern_s_leftmost_match(window: str, cut: int) -> None:
    text = "Aleppo " + window + "X"
    pos, endpos = min(cut, len(text)), len(text) - 1
    fast = resolve._direction_before(text, pos, endpos)
    slow = resolve._DIRECTION_BEFORE.search(text, pos, endpos)
    assert (fast.span(), fast.group("dir")) == (slow.span(), slow.group("dir")) if slow else fast is None, text


_CUE_WINDOW_PIECES = ["the", "town", "downtown", "Town", "TOWN", "of", "OF", "village", "farms", "farm",
                      "governorate", "province", "Province", "eastern", "rural", "Rural", "countryside",
                      "countryside of", "the countryside of", "in", "at", "near", "into", "towards", "Bin", "hamlet",
                      "city", " ", "  ", "\t", "\n", "x", "-", ",", "é", "ſ", "Aleppo"]
_CUE_WINDOWS = (st.lists(st.sampled_from(_CUE_WINDOW_PIECES), max_size=10).map(" ".join)
                | st.lists(st.sampled_from(_CUE_WINDOW_PIECES), max_size=10).map("".join))


@given(_CUE_WINDOWS)
@_SETTINGS
def test_word_checks_before_a_name_answer_as_the_patterns(window: str) -> None:
    kind = toponyms._kind_cue(window)
    slow = toponyms.end_search(toponyms._KIND_CUE, toponyms._KIND_CUE_REVERSE, window)
    assert (kind.span(), kind.group("a1pre")) == (slow.span(), slow.group("a1pre")) if slow else kind is None, window
    assert toponyms._rural_before(window) == (toponyms._RURAL_BEFORE.search(window) is not None), window
    text = window + "Saraqib"
    start = len(window)
    assert resolve._locative_before(text, start) == (
        resolve._LOCATIVE_BEFORE.search(text, max(0, start - 25), start) is not None), window


_DATELINE_PIECES = ["BEIRUT", "(AP)", "(Reuters)", " -- ", " - ", "—", ":", "Beirut:", "Aleppo", "By John Smith\n",
                    "\n", " ", "AMMAN, Jordan", "Syrian jets shelled the town of Kafr Nubl and the villages around",
                    "x"]


@given(st.lists(st.sampled_from(_DATELINE_PIECES), max_size=10).map("".join))
@_SETTINGS
def test_datelines_of_a_text_without_their_marks_are_none(text: str) -> None:
    assert toponyms.datelines(text) == [m.span() for m in toponyms.DATELINE.finditer(text)]


_NAME_PIECES = ["Kafr", "Nubl", "al-", "Al ", "el-", "ad-", "ash-", "an ", "at-", "Bab", "KafrZitta", "'s", "’s", "‘", "`",
                "-", "the", "village", "villages", "town", "towns", "of", "near", "in", "around", "outside", "city",
                "area", "camp", "air base", "military airport", "road", "mount", "Mountain", "neighbourhood", "É", "é",
                "ß", "_", "1", " ", "  ", "\n", "\t", ",", ".", "(", "x", "bin", "Abu", "X"]
_NAME_TEXTS = (st.lists(st.sampled_from(_NAME_PIECES), max_size=14).map(" ".join)
               | st.lists(st.sampled_from(_NAME_PIECES), max_size=14).map("".join))


@given(_NAME_TEXTS)
@_SETTINGS
def test_cue_names_and_capitalised_names_are_the_patterns_matches(text: str) -> None:
    slow = []
    for match in toponyms._CUE_NAME.finditer(text):
        group = next(g for g in ("n1", "n2", "n3", "n4") if match.group(g))
        slow.append((group, *match.span(group)))
    assert toponyms.cue_name_spans(text) == slow, text
    assert toponyms.capitalised_spans(text) == [m.span() for m in toponyms._CAPITALISED.finditer(text)], text


def test_cue_names_next_to_each_other_and_at_the_start_are_all_found() -> None:
    text = "Tal Rifaat town near the village of Kafr Nubl-‘ and Hama's countryside, the villages Ain Issa town"
    slow = [(next(g for g in ("n1", "n2", "n3", "n4") if m.group(g)),) for m in toponyms._CUE_NAME.finditer(text)]
    assert [(g,) for g, _, _ in toponyms.cue_name_spans(text)] == slow
    assert len(slow) >= 3


@given(st.lists(st.sampled_from(["Military Forces of Syria", "ISIL", "Rebels", "SDF"]), min_size=1, max_size=8))
@_SETTINGS
def test_lazily_counted_actors_are_counted_as_by_counter(names) -> None:
    from collections import Counter

    from geo.extract.events import LazyCounts

    lazy = LazyCounts(list(names))
    assert lazy.most_common() == Counter(names).most_common() == lazy.most_common()


@given(st.lists(st.one_of(st.text(max_size=6), st.integers(), st.none(), st.dates()), max_size=4),
       st.integers(min_value=0, max_value=70))
@_SETTINGS
def test_stable_id_is_the_sha256_hex_digits(parts, length) -> None:
    import hashlib

    from geo.models import stable_id

    text = "\x1f".join(str(p) for p in parts)
    assert stable_id(*parts, length=length) == hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]
