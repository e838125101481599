"""The cheap checks that let extraction skip a pattern (no date word, no death word, no cue word,
no group name...) never skip a text the pattern would match: on random texts made of the
patterns' words, near misses and the characters that IGNORECASE treats specially (hypothesis),
a check that says "nothing here" is always right. Each test fails when a needed word is left
out of a check's list (the examples name the words most easily forgotten)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import dates
from geo.extract import events, lexicon, pipeline, relative, resolve, toponyms
from geo.alternation import split_top_level
from geo.words import lacks_words

# Words of the patterns, near misses and edge characters: "ı", "ſ", "İ" and the Kelvin sign
# (IGNORECASE matches them to ASCII letters, str.lower does not), capitals, digits, dashes.
_FRAGMENTS = [
    # dates
    "Monday", "MONDAY", "monday", "sunday night", "yesterday", "Today", "tonight", "overnight", "last night",
    "this morning", "thiſ morning", "this evening", "two days ago", "3 days ago", "last week", "2 weeks ago",
    "earlier this month", "past month", "in March", "during Sept", "since Dec", "3 January", "Jan 5",
    "May 3, 2014", "2014-01-03", "١٢٣٤-٠١-٠٣", "yeſterday", "Monday".upper().replace("N", "N"), "DAY", "d\u0130y",
    # deaths
    "killed", "KILLED", "kılled", "\u212aILLED", "kills", "killing", "dead", "died", "deaths", "death toll rises to",
    "lives", "claimed the lives of", "claiming the lives of", "martyred", "slain", "ſlain", "casualties",
    "martyrs", "massacre", "bodies", "executed", "fatalities", "at least", "dozens", "a dozen", "hundreds",
    "five", "12", "1,200", "were", "people", "civilians",
    # cues and quarters
    "the village of", "villages", "town", "towns of", "city", "hamlet", "neighbourhood", "neighborhood",
    "Neighbourhood", "NEIGHBORHOODS", "neighbourhoods of", "district", "suburb", "suburbs", "area", "farms",
    "outskirts", "vicinity", "countryside", "province", "governorate", "camp", "front", "hill", "airbase",
    "air base", "airport", "military airport", "base", "field", "dam", "crossing", "checkpoint", "plain", "basin",
    "mountain", "mount", "quarter", "road", "highway", "square", "roundabout", "prison", "near the village",
    "in the town", "'s", "’s",
    # group names
    "Liwa", "Liwa'a", "Liwaa", "Jaysh", "Jaish", "Jabhat", "Harakat", "Kataib", "Kata'ib", "Katibat", "Saraya",
    "Suqour", "Suqur", "Ahrar", "Shuhada", "Shuhada'a", "Fursan", "Ansar", "Aknaf", "Alwiya", "Alwiyat",
    "Thuwar", "Usud", "Tajammu", "Tajammu'", "Faylaq", "Firqat", "Fawj", "Ajnad", "Jund", "Quwat",
    # directions, sides, phrases
    "north", "North-east", "northeastern", "south of", "a town south of", "the far west of", "two villages",
    "10 km", "EAST", "weſt", "between", "BETWEEN", "betwe", "the rebels and", "Putin – Erdogan", "\u201cPutin-Erdogan\u201d",
    "de-escalation", "deescalation", "demilitarised", "demilitarized", "buffer", "zone", "area", "the capital",
    "the Syrian capital",
    # names, words and separators
    "Aleppo", "al-Quds", "al-Sham", "Bayt", "Maqdis", "Yarmouk", "Hama", "Saraqib", "Kafr Nubl", "the", "of", "in",
    "and", "near", "around", "outside", "x", "-", ",", ".", ";", "\n", "  ",
]
_TEXTS = st.lists(st.sampled_from(_FRAGMENTS), max_size=12).map(" ".join) | st.lists(
    st.sampled_from(_FRAGMENTS), max_size=12).map("".join)
_SETTINGS = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PUBLISHED = dt.date(2014, 1, 5)


def _date_matches(text: str) -> list[str]:
    return [m.group() for m in dates.DATE_RE.finditer(text)]


@pytest.mark.parametrize("text", ["Tonight", "overnight shelling", "thiſ morning", "two days ago", "2014-01-03",
                                  "١٢٣٤-٠١-٠٣", "during Sept", "SUNDAY", "in May"])
def test_date_check_keeps_every_date(text: str) -> None:
    assert _date_matches(text)
    assert not dates._no_date(text)


def test_date_check_skips_a_sentence_without_a_date() -> None:
    assert dates._no_date("Rebels shelled Saraqib, killing 5 people")
    assert dates.find_dates("Rebels shelled Saraqib, killing 5 people", PUBLISHED) == []


@given(_TEXTS)
@_SETTINGS
def test_date_check_never_hides_a_date(text: str) -> None:
    if dates._no_date(text):
        assert _date_matches(text) == []


def _counts(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for p in events._FATALITY_RES for m in p.finditer(text)]


@pytest.mark.parametrize("text", ["airstrikes claimed the lives of 12", "5 ſlain", "twelve were slain",
                                  "three \u212aILLED", "death toll rises to 40", "six martyred"])
def test_fatality_check_keeps_every_count(text: str) -> None:
    assert _counts(text)
    assert events.find_fatality_count(text) is not None


@given(_TEXTS)
@_SETTINGS
def test_fatality_check_never_hides_a_count(text: str) -> None:
    if lacks_words(text, events._FATALITY_WORDS):
        assert _counts(text) == []


@given(_TEXTS)
@_SETTINGS
def test_deadly_check_never_hides_a_death_word(text: str) -> None:
    if lacks_words(text, pipeline._DEADLY_WORDS):
        assert pipeline._DEADLY_RE.search(text) is None


@given(_TEXTS)
@_SETTINGS
def test_quarter_check_never_hides_a_neighbourhood(text: str) -> None:
    if lacks_words(text, relative.QUARTER_WORDS):
        for i in range(len(text) + 1):
            assert relative._QUARTER_BEFORE.search(text[:i]) is None
            assert relative._QUARTER_AFTER.match(text, i) is None


@pytest.mark.parametrize("text", ["Aleppo airbase", "Hama military airport", "Saraqib basin", "Quds mountain",
                                  "near the village Kafr Nubl", "Yarmouk camp", "the hamlet of Tal"])
def test_cue_check_keeps_every_cue(text: str) -> None:
    assert list(toponyms._CUE_NAME.finditer(text))
    assert any(word in text for word in toponyms._CUE_WORDS)


@given(_TEXTS)
@_SETTINGS
def test_cue_check_never_hides_a_cue_name(text: str) -> None:
    if not any(word in text for word in toponyms._CUE_WORDS):
        assert list(toponyms._CUE_NAME.finditer(text)) == []


@pytest.mark.parametrize("text", ["Katibat Shuhada", "Kata'ib al-Quds", "Alwiyat Ahrar", "Usud al-Sham",
                                  "Quwat al-Yarmouk", "Fawj Maqdis"])
def test_group_check_keeps_every_group(text: str) -> None:
    assert lexicon.GROUP_NAME_RE.search(text)
    assert [h.name for h in events.find_actors(text)]


@given(_TEXTS)
@_SETTINGS
def test_group_check_never_hides_a_group(text: str) -> None:
    if not any(word in text for word in lexicon.GROUP_NAME_WORDS):
        assert lexicon.GROUP_NAME_RE.search(text) is None


@pytest.mark.parametrize("char", ["\u0130", "\u0131", "\u017f", "\u212a"])
def test_lacks_words_is_unsure_with_the_letters_ignorecase_folds_to_ascii(char: str) -> None:
    text = "thi" + char + " " + char + "ill"
    assert not lacks_words(text, ("zzz",))  # unsure: the pattern decides
    assert lacks_words(text.replace(char, "q"), ("zzz",))


def test_lacks_words_agrees_with_an_ignorecase_pattern_on_every_code_point() -> None:
    # Every character that IGNORECASE matches to one of the words' letters is ASCII or one of
    # the four odd letters, so that lacks_words never misses a case-insensitive match.
    letters = re.compile("[a-z]", re.IGNORECASE)
    odd = {chr(c) for c in range(128, 0x110000) if letters.fullmatch(chr(c))}
    assert odd == {"\u0130", "\u0131", "\u017f", "\u212a"}


@given(st.text(alphabet="aAl- _/.,;:()[]\"!?“”«»„…–—\n\t'’ʿéİıßال", max_size=30) | _TEXTS)
@_SETTINGS
def test_fold_spans_are_the_tokens_of_the_token_pattern(text: str) -> None:
    from geo.gazetteer import names

    expected = [(f, m.start(), m.end()) for m in names._TOKEN_RE.finditer(text) if (f := names.fold_token(m.group()))]
    assert names.fold_tokens(text) == expected
    folded = toponyms.fold_text(text)
    assert folded.folded == " ".join(f for f, _, _ in expected)
    assert [folded.folded[s:].split(" ")[0] for s in folded.fstart] == [f for f, _, _ in expected]


@given(_TEXTS)
@_SETTINGS
def test_direction_check_never_hides_a_relative_place(text: str) -> None:
    if lacks_words(text, resolve.DIRECTION_WORDS):
        assert pipeline._UNNAMED_RELATIVE_BEFORE.search(text) is None
        assert pipeline._OUTSIDE_AREA_BEFORE.search(text) is None


@pytest.mark.parametrize("text", ["a town south of ", "two villages 10 km North-east of the city of ",
                                  "just weſt of "])
def test_direction_check_keeps_every_direction(text: str) -> None:
    assert pipeline._UNNAMED_RELATIVE_BEFORE.search(text) or pipeline._OUTSIDE_AREA_BEFORE.search(text)
    assert not lacks_words(text, resolve.DIRECTION_WORDS)


@given(_TEXTS)
@_SETTINGS
def test_phrase_check_never_hides_a_phrase_place(text: str) -> None:
    for pattern, _, _, words in resolve._PHRASE_PLACES:
        if lacks_words(text, words):
            assert pattern.search(text) is None


def test_between_check_keeps_the_sides_of_a_clash() -> None:
    # "between A and B" orders the sides as written, whatever the case of "between".
    for text in ("Clashes BETWEEN the SDF and ISIS near Raqqa", "Clashes between the SDF and ISIS near Raqqa"):
        trig = events.find_triggers(text, [])[0]
        actor1, actor2, _, _ = events.choose_actors(trig, events.find_actors(text), text, Counter(), sentence_start=0)
        assert (actor1, actor2) == ("SDF: Syrian Democratic Forces", "Islamic State (Syria)")


@pytest.mark.parametrize(("text", "found"), [
    ("Aleppo", ["Aleppo"]), ("Aleppo.", ["Aleppo"]), ("shelling in Aleppo", ["Aleppo"]),
    ("Aleppo and Saraqib", ["Aleppo", "Saraqib"]), ("XAleppo", []), ("Aleppox was", []), ("in Aleppos", []),
    ("Kafr Nubl shelled", ["Kafr Nubl"]), ("\ufdfd Aleppo", ["Aleppo"]),
])
def test_finder_takes_whole_tokens_only(parser, text: str, found: list[str]) -> None:
    # The automaton's keys are padded with spaces (whole-token matches only): a name at either
    # end of the text is found, a name inside a longer word is not.
    assert [f.surface for f in parser.finder.find(text)] == found


_NON_LOCATION_ALTERNATIVES = split_top_level(lexicon._NON_LOCATION_CONTEXTS)


@pytest.mark.parametrize("index", range(len(_NON_LOCATION_ALTERNATIVES)))
def test_non_location_words_are_in_every_match(index: int) -> None:
    # Strings drawn from each alternative of the pattern: every one holds a word of the list,
    # so that a text without any is rightly not searched.
    alternative = _NON_LOCATION_ALTERNATIVES[index]

    @given(st.from_regex(re.compile(alternative), fullmatch=True))
    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    def holds_a_word(text: str) -> None:
        assert lexicon.NON_LOCATION_HINT.search(text) is not None, (alternative, text)

    holds_a_word()


@given(_TEXTS)
@_SETTINGS
def test_non_location_check_never_hides_a_context(text: str) -> None:
    if lexicon.NON_LOCATION_HINT.search(text) is None:
        assert list(lexicon.NON_LOCATION_CONTEXTS.finditer(text)) == []


def _words_check(words: tuple[str, ...]):
    return lambda text: not lacks_words(text, words)


def _case_sensitive_check(words: tuple[str, ...]):
    return lambda text: any(word in text for word in words)


_CHECKED_PATTERNS = {
    "date": (dates.DATE_RE.full, lambda text: not dates._no_date(text)),
    "fatality-0": (events._FATALITY_RES[0].full, _words_check(events._FATALITY_WORDS)),
    "fatality-1": (events._FATALITY_RES[1].full, _words_check(events._FATALITY_WORDS)),
    "deadly": (pipeline._DEADLY_RE.full, _words_check(pipeline._DEADLY_WORDS)),
    "quarter-before": (relative._QUARTER_BEFORE, _words_check(relative.QUARTER_WORDS)),
    "quarter-after": (relative._QUARTER_AFTER, _words_check(relative.QUARTER_WORDS)),
    "unnamed": (pipeline._UNNAMED_RELATIVE_BEFORE, _words_check(resolve.DIRECTION_WORDS)),
    "outside": (pipeline._OUTSIDE_AREA_BEFORE, _words_check(resolve.DIRECTION_WORDS)),
    "direction-before": (resolve._DIRECTION_BEFORE, _words_check(resolve.DIRECTION_WORDS)),
    "direction-after": (resolve._DIRECTION_AFTER, _words_check(resolve.DIRECTION_WORDS)),
    "year": (events._YEAR, lambda text: "19" in text or "20" in text),
    "spoken-before": (lexicon.SPOKEN_BEFORE, _words_check(lexicon.SPOKEN_WORDS)),
    "cue": (toponyms._CUE_NAME, _case_sensitive_check(toponyms._CUE_WORDS)),
    "group": (lexicon.GROUP_NAME_RE, _case_sensitive_check(lexicon.GROUP_NAME_WORDS)),
    "war-summary": (events._WAR_SUMMARY, _words_check(events._SUMMARY_WORDS)),
    "non-location": (lexicon.NON_LOCATION_CONTEXTS.full, lambda text: lexicon.NON_LOCATION_HINT.search(text)),
}


@pytest.mark.parametrize("name", sorted(_CHECKED_PATTERNS))
def test_every_match_passes_its_check(name: str) -> None:
    # Strings drawn from the pattern itself (hypothesis' from_regex): the cheap check lets
    # every one of them through.
    pattern, check = _CHECKED_PATTERNS[name]

    @given(st.from_regex(pattern))
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    def passes(text: str) -> None:
        if pattern.search(text):
            assert check(text), text

    passes()


_DATELINE_FRAGMENTS = ["BEIRUT (AP) -- ", "AMMAN, Jordan, Aug 3 (Reuters) - ", "\n", "\n\n", "By John Smith\n", "Beirut: ",
                       "DAMASCUS, Syria — ", "Hasakah (Syria) (AFP) - ", "x ", "Aleppo (SANA) ", "  \t", "By Jo\n  ",
                       "Syrian jets shelled the town of Kafr Nubl and the villages around it again on Friday. "]


@given(st.lists(st.sampled_from(_DATELINE_FRAGMENTS), max_size=10).map("".join) | st.from_regex(toponyms.DATELINE))
@_SETTINGS
def test_datelines_are_the_pattern_s_matches(text: str) -> None:
    assert toponyms.datelines(text) == [m.span() for m in toponyms.DATELINE.finditer(text)]


_OWN_SENTENCES = [
    "Syrian warplanes struck Saraqib on Monday, killing 5 civilians; rebels shelled Aleppo.",
    "Clashes between the SDF and ISIS in the village of Tal Tamr, east of Hasakah, left 12 fighters dead.",
    "A car bomb exploded in the Sheikh Maqsoud neighbourhood of Aleppo yesterday.",
    "BEIRUT (AP) -- Turkish artillery hit Tal Rifaat. Ankara said the strikes answered rocket fire.",
    "Regime forces recaptured Kafr Nubl and Maarat al-Numan in Idlib province, the Observatory said.",
    "Liwa al-Quds fighters attacked positions near Daraa, and a town south of Damascus was bombed.",
]


def test_warm_caches_give_what_a_fresh_parser_gives(gazetteer) -> None:
    # The per-name and per-key caches (kept across texts, cleared by clear_caches) never change
    # an answer: a parser warmed on the texts in another order, then cleared and warmed again,
    # gives what a fresh one gives, text by text.
    from geo.extract import Geoparser

    fresh = [Geoparser(gazetteer).extract_text(t, published=PUBLISHED) for t in _OWN_SENTENCES]
    warm = Geoparser(gazetteer)
    for text in reversed(_OWN_SENTENCES * 2):
        warm.extract_text(text, published=PUBLISHED)
    assert [warm.extract_text(t, published=PUBLISHED) for t in _OWN_SENTENCES] == fresh
    warm.clear_caches()
    assert [warm.extract_text(t, published=PUBLISHED) for t in _OWN_SENTENCES] == fresh
    assert any(r.events for r in fresh)


@given(st.text(alphabet="aAlsh- _/.,;:()[]\"!?'\n\t\x0b\x1c\x1f`", max_size=40))
@_SETTINGS
def test_ascii_texts_fold_to_the_tokens_of_the_token_pattern(text: str) -> None:
    # An ASCII text is split by str.split once its separators are spaces (names.fold_spans): the
    # same tokens and spans as the separators' pattern, runs of separators and the ends included.
    from geo.gazetteer import names

    expected = [(f, m.start(), m.end()) for m in names._TOKEN_RE.finditer(text) if (f := names.fold_token(m.group()))]
    assert names.fold_tokens(text) == expected
