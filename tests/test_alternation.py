"""geo.alternation: the first-character dispatch gives exactly the matches of the one plain
pattern it replaces (span, text and the alternative's name), for the lexicon's trigger and actor
lists, the per-sentence date and death patterns, and random alternations on random texts
(hypothesis)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo import dates
from geo.extract import events, lexicon, pipeline
from geo.alternation import Alternation, split_top_level
from geo.words import CASE_ODD

_W, _E = r"(?<![\w-])", r"(?![\w])"


def _plain(named: list[tuple[str, str]], flags: int, prefix: str = _W, suffix: str = _E) -> re.Pattern:
    """The pattern the lexicon compiled before: one alternative per entry, each with the word edges."""
    return re.compile("|".join(f"(?P<{n}>{prefix}(?:{p}){suffix})" for n, p in named), flags)


def _matches(pattern, text: str) -> list[tuple[tuple[int, int], str | None, str]]:
    return [(m.span(), m.lastgroup, m.group()) for m in pattern.finditer(text)]


TRIGGERS = [(f"t{i}", t.pattern) for i, t in enumerate(lexicon.TRIGGERS)]
ACTORS = [(f"a{i}", a.pattern) for i, a in enumerate(lexicon.ACTORS)]
OLD_TRIGGER_RE = _plain(TRIGGERS, re.IGNORECASE)
OLD_ACTOR_RE = _plain(ACTORS, re.IGNORECASE)

# Words of the lexicon and near misses, with the characters that make edge cases: hyphens (the
# word-start lookbehind), apostrophes, "ı" and "ſ" (which IGNORECASE matches to "i" and "s",
# though str.lower does not), capitals and acronyms.
_WORDS = ["shelling", "Shelled", "SHELLS", "air strike", "air-strikes", "airstrike", "raid", "pro-regime forces",
          "regime", "Regime forces", "IS", "IS fighters", "is", "ISIS", "Islamic State of Iraq and the Levant",
          "Russian and Syrian warplanes", "Turkish artillery", "Turkey", "Syrian", "kılled", "ſhelling", "KILLED",
          "killing", "re-took", "retook", "took over", "pushed them out", "SDF", "YPG", "People's Protection Units",
          "rebels", "rebel fighters", "car bomb", "car-bombs", "clashes", "clash", "Hay'at Tahrir al-Sham",
          "U.S.-led coalition", "4th Division", "civilians", "people", "the", "in", "and", "Aleppo", "x", "-",
          "'", ",", ".", "\n", "  ", "İdlib", "ﬁghting", "fighting", "détonated", "detonated"]
_texts = st.lists(st.sampled_from(_WORDS), max_size=25).map(" ".join) | st.text(
    alphabet=st.sampled_from(list("aeiklmorst ISK-'.ıſ\u212a")), max_size=60)


def test_lexicon_patterns_are_dispatched():
    # Both lexicon alternations are analysed (not run whole), else they would not be faster.
    assert lexicon.TRIGGER_RE._scan is not None
    assert lexicon.ACTOR_RE._scan is not None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_texts)
def test_lexicon_alternations_match_like_the_plain_patterns(text):
    assert _matches(lexicon.TRIGGER_RE, text) == _matches(OLD_TRIGGER_RE, text)
    assert _matches(lexicon.ACTOR_RE, text) == _matches(OLD_ACTOR_RE, text)


def test_examples_match_like_the_plain_patterns():
    text = ("BEIRUT - Russian and Syrian warplanes shelled pro-regime positions; IS fighters re-took "
            "the town, kılling 5, while ſhelling hit Kafr Nubl. SDF/YPG clashes; is it over?")
    assert _matches(lexicon.TRIGGER_RE, text) == _matches(OLD_TRIGGER_RE, text)
    assert _matches(lexicon.ACTOR_RE, text) == _matches(OLD_ACTOR_RE, text)
    assert any(m.group() == "kılling" for m in lexicon.TRIGGER_RE.finditer(text))  # decided by the whole pattern


_atoms = st.sampled_from(["a", "b", "ab", "ba", "[ab]", "[a-c]", "a?", "(?:a|bc)", "b+", "c{0,2}", "(?=a)",
                          "(?!b)", "\\b", "I", "ı", "s", "-", "\\.", "[|]", "\\d", "1"])
_alternatives = st.lists(st.lists(_atoms, min_size=1, max_size=4).map("".join), min_size=1, max_size=4).map("|".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_alternatives, min_size=1, max_size=5), st.booleans(),
       st.text(alphabet=st.sampled_from(list("abcIsıſS-. |1٣")), max_size=40))
def test_random_alternations_match_like_the_plain_pattern(patterns, fold, text):
    named = [(f"g{i}", p) for i, p in enumerate(patterns)]
    flags = re.IGNORECASE if fold else 0
    fast = Alternation(named, flags, prefix=_W, suffix=_E)
    assert _matches(fast, text) == _matches(_plain(named, flags), text)


def test_split_top_level_keeps_groups_and_sets():
    assert split_top_level(r"a|(?:b|c)|[|]|\||d") == ["a", "(?:b|c)", "[|]", r"\|", "d"]


_CONTEXT_WORDS = ["Syrian Observatory for Human Rights", "Damascus-based", "Liwa al-Quds", "Liwaa al-Quds",
                  "Jaish al-Islam", "Shuhada al-Yarmouk battalion", "Aknaf Bayt al-Maqdis", "SANA", "SANA reported",
                  "Sana", "the al-Watan newspaper", "Syrian Watan daily", "Al Jazeera", "Aleppo Media Center",
                  "Islamic State of Iraq and the Levant", "news agency", "Anadolu", "Turkish-backed", "Radio",
                  "Army of Islam", "Ahrar al-Sham", "the", "in", "Aleppo", "Idlib", "al-", "-", "'", "’", ".", "\n"]
OLD_CONTEXTS = re.compile(lexicon._NON_LOCATION_CONTEXTS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_CONTEXT_WORDS), max_size=20).map(" ".join))
def test_non_location_contexts_match_like_the_plain_pattern(text):
    assert lexicon.NON_LOCATION_CONTEXTS._scan is not None
    assert [m.span() for m in lexicon.NON_LOCATION_CONTEXTS.finditer(text)] == \
        [m.span() for m in OLD_CONTEXTS.finditer(text)]


# End-anchored cues searched from the end (toponyms.end_search): same answer as re's search.
_CUE_WORDS = ["the", "town", "village", "of", "province", "governorate", "northern", "eastern", "western",
              "central", "rebel-held", "besieged", "strategic", "countryside", "rural", "talks", "in", "at", "to",
              "from", "into", "officials", "spokesman", "based", "refugees", "fled", "Aleppo", "Geneva", "said",
              "city", "farms", "neighbourhood", "lantern", "  ", "\n", ",", "-", "’", "é"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_CUE_WORDS), max_size=12).map(" ".join),
       st.sampled_from(["", " of", " province of", " the town of", " talks in", " in the", " officials in"]),
       st.sampled_from(["", " ", "  ", "\n"]))
def test_end_anchored_cues_answer_like_re(words, ending, tail):
    from geo.extract import toponyms

    window = words + ending + tail
    for plain, reverse in ((toponyms._KIND_CUE, toponyms._KIND_CUE_REVERSE),
                           (lexicon.SPOKEN_BEFORE, toponyms._SPOKEN_BEFORE_REVERSE)):
        expected = plain.search(window)
        got = toponyms.end_search(plain, reverse, window)
        assert (got is None) == (expected is None)
        if expected is not None:
            assert {k for k, v in got.groupdict().items() if v} == {k for k, v in expected.groupdict().items() if v}


_ORIGIN_WORDS = ["gunmen", "located", "stationed", "holed up", "in", "at", "inside", "the", "old", "eastern", "city",
                 "of", "fired", "shells", "from", "positions", "near", "than", "like", "as", "x-as", "they", "were",
                 "did", "worse", "Aleppo", "Homs", "Idlib", "FROM", "In", "AT", "  ", "\n", ",", "’", "ı"]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_ORIGIN_WORDS), max_size=14).map(" ".join),
       st.sampled_from(["", " as in the old", " than they were in", " fired from", " located at the city of",
                        " like in the", " as at"]),
       st.sampled_from(["", " ", "\n", "  "]), st.integers(0, 5))
def test_not_event_before_answers_like_its_pattern(words, ending, tail, cut):
    text = words + ending + tail + "Aleppo"
    end = len(text) - len("Aleppo")
    for pos in (0, min(cut, end)):
        got = lexicon.NOT_EVENT_BEFORE.search(text, pos, end)
        expected = lexicon._NOT_EVENT_BEFORE.search(text, pos, end)
        assert (got is None) == (expected is None)
        assert got is None or got.span() == expected.span()
    window = text[:end]
    assert (lexicon.NOT_EVENT_BEFORE.search(window) is None) == (lexicon._NOT_EVENT_BEFORE.search(window) is None)


# geo.extract.text's boundary patterns, rewritten to start with one character set: same matches.
OLD_SENTENCE_END = re.compile(r"[.!?;…]+(?=[\s\"'”’)\]]|$)|\n\s*\n|[;…](?=\S)")
OLD_CLAUSE_BOUNDARY = re.compile(
    r"\s*[,:;]\s+|\s+[–—-]{1,2}\s+|\s+(?=(?:while|whereas|after|before|as|amid|but|and|when|where)\s)",
    re.IGNORECASE)
_PUNCTUATED = st.lists(st.sampled_from(list(" \n\t.!?;…,:-–—\"'”’)]xA") + ["while", "And", "as", "Mr"]),
                       max_size=40).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.lists(_PUNCTUATED, max_size=4).map("".join))
def test_sentence_and_clause_boundaries_match_like_before(text):
    from geo.extract import text as text_module

    assert [m.span() for m in text_module._SENTENCE_END.finditer(text)] == \
        [m.span() for m in OLD_SENTENCE_END.finditer(text)]
    assert [m.span() for m in text_module._CLAUSE_BOUNDARY.finditer(text)] == \
        [m.span() for m in OLD_CLAUSE_BOUNDARY.finditer(text)]


def test_other_pattern_methods_run_the_plain_pattern():
    text = "Russian warplanes shelled the town, as they did in eastern Aleppo"
    assert lexicon.TRIGGER_RE.search(text).group() == OLD_TRIGGER_RE.search(text).group() == "warplanes"
    assert lexicon.NOT_EVENT_BEFORE.match("as in ") is not None
    assert lexicon.NOT_EVENT_BEFORE.search(text[: text.index("Aleppo")]) is not None


def test_case_odd_lists_every_non_ascii_character_that_ignorecase_matches_to_ascii():
    # The case-insensitive scan starts each branch with the exact cases of its first character:
    # the ASCII capital and these (geo.words.CASE_ODD); a missing one would lose its matches.
    from geo.words import CASE_ODD

    ascii_alnum = re.compile(r"[a-z0-9]", re.IGNORECASE)
    found = {chr(code) for code in range(0x80, 0x110000) if ascii_alnum.fullmatch(chr(code))}
    assert found == set(CASE_ODD)


_PER_SENTENCE = {"date": dates.DATE_RE, "deadly": pipeline._DEADLY_RE, "dead": events._FATALITY_RES[0],
                 "death-toll": events._FATALITY_RES[1]}


@pytest.mark.parametrize("name", sorted(_PER_SENTENCE))
def test_per_sentence_patterns_are_dispatched(name):
    assert _PER_SENTENCE[name]._scan is not None


@pytest.mark.parametrize("text", [
    "Airstrikes killed 12 people in Saraqib on Sunday; the death toll rises to 15, two days ago 3 died.",
    "KILLED on 3 January 2014, 2014-01-03, ١٢٣٤-٠١-٠٣ and ٣ January; ٣ were killed, the death toll climbs to ١٢",
    "Dozens of bodies found last week, kılled twelve thiſ morning, ſlain overnight; dozens were ſlain; fatalities in May",
    "Mass killings: a massacre claimed the lives of twenty civilians earlier this month; 1٢ died",
])
@pytest.mark.parametrize("name", sorted(_PER_SENTENCE))
def test_per_sentence_patterns_match_like_the_plain_patterns(name, text):
    pattern = _PER_SENTENCE[name]
    assert _matches(pattern, text) == _matches(pattern.full, text)
    assert _matches(pattern, text)  # each text holds a match of each


@pytest.mark.parametrize("flags", [0, re.IGNORECASE])
@pytest.mark.parametrize("pattern", [r"\d+", r"\d{1,2}\s+days|a\d|today"])
def test_digits_of_other_scripts_match_like_the_plain_pattern(pattern, flags):
    # A piece starting with \d: 0-9 are dispatched, other scripts' digits (Arabic-Indic ٣) are
    # left to the whole pattern, never lost.
    fast = Alternation([("n", pattern)], flags, prefix=r"\b")
    text = "x ٣٤ 5 days, ١٢ days, a٣ and a4 TODAY ۲ days"
    assert _matches(fast, text) == _matches(re.compile(rf"\b(?:(?P<n>{pattern}))", flags), text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_alternatives, min_size=1, max_size=5), st.booleans(), st.sampled_from([_W, r"\b"]),
       st.text(alphabet=st.sampled_from(list("abcIsıſS-. |1٣_é")), max_size=40))
def test_alternations_whose_scan_takes_the_character_before_match_like_the_plain_pattern(patterns, fold, prefix,
                                                                                          text):
    # A word-start prefix is scanned as the character before the match (when every match starts
    # with a word character); matches next to each other, at the start and after "_" or "-"
    # come out as the plain pattern's.
    named = [(f"g{i}", p) for i, p in enumerate(patterns)]
    flags = re.IGNORECASE if fold else 0
    fast = Alternation(named, flags, prefix=prefix, suffix="")
    assert _matches(fast, text) == _matches(_plain(named, flags, prefix, ""), text)


def test_word_start_scans_take_the_character_before():
    assert lexicon.TRIGGER_RE._shift and lexicon.ACTOR_RE._shift and dates.DATE_RE._shift
    text = "ab-ab _ab ab,ab"
    fast = Alternation([("x", "ab")], 0, prefix=_W)
    assert fast._shift and [m.span() for m in fast.finditer(text)] == [(0, 2), (10, 12), (13, 15)]


@pytest.mark.parametrize("prefix", [_W, r"\b"])
@pytest.mark.parametrize("fold", [0, re.IGNORECASE])
@pytest.mark.parametrize("sep", list(" .|,;:()'\"/\\\n\t-_1é٣ıſ’…—"))
def test_matches_after_every_kind_of_character_are_found(prefix, fold, sep):
    named = [("g0", "ab"), ("g1", "s[ab]"), ("g2", "1")]
    fast = Alternation(named, fold, prefix=prefix, suffix="")
    assert fast._shift
    text = f"ab{sep}ab{sep}{sep}sa{sep}1{sep}Sb{sep}"
    assert _matches(fast, text) == _matches(_plain(named, fold, prefix, ""), text)


@pytest.mark.parametrize("char", list("aiskKzZ1-.é\\]^[İıſK"))
def test_case_set_matches_what_ignorecase_matches(char):
    from geo.alternation import case_set

    pattern = re.compile(case_set(char))
    for other in (char, char.lower(), char.upper(), "i", "I", "s", "S", "k", "K", *CASE_ODD, "é", "É", "x"):
        assert (pattern.fullmatch(other) is not None) == (re.fullmatch(re.escape(char), other, re.IGNORECASE)
                                                          is not None), (char, other)


# The word-start automaton (Alternation._starts) finds where a match may start in one pass over
# the text's ASCII form (alternation._word_text); the engine scans texts where that form could
# lose a start (a CASE_ODD letter, another script's digit).
_AUTOMATON_WORDS = [*_WORDS, "“Russian", "’s", "—", "…", "é-shelling", "éshelling", "x?shelling", "?", "_raid",
                    "2014", "٣", "3rd", "Monday", "killed”", "(IS)", "[ISIS]", "al-Nusra", "AL-NUSRA"]


def test_word_alternations_find_their_starts_with_an_automaton():
    for pattern in (lexicon.TRIGGER_RE, lexicon.ACTOR_RE, lexicon.CIVILIAN_RE, dates.DATE_RE, pipeline._DEADLY_RE,
                    events._FATALITY_RES[0]):
        assert pattern._starts is not None, pattern.pattern[:40]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_AUTOMATON_WORDS), max_size=25).map(" ".join) | st.lists(
    st.sampled_from(_AUTOMATON_WORDS), max_size=12).map("".join))
def test_the_automaton_finds_every_start_of_a_match(text):
    from geo.alternation import _word_text

    for pattern in (lexicon.TRIGGER_RE, lexicon.ACTOR_RE, dates.DATE_RE, pipeline._DEADLY_RE):
        form = _word_text(text, pattern._fold)
        assert (form is None) == (any(c in text for c in CASE_ODD) or "٣" in text)
        if form is None:
            continue
        assert len(form) == len(text) + 1
        starts = {last - n for last, (n, _) in pattern._starts.iter(form)}
        expected = _matches(pattern.full, text)
        assert {span[0] for span, _, _ in expected} <= starts
        assert _matches(pattern, text) == expected


def test_a_text_the_form_could_mislead_is_scanned_by_the_engine():
    from geo.alternation import _word_text

    assert _word_text("ſhelling of Idlib", True) is None  # IGNORECASE: "ſ" is an "s"
    assert _word_text("on ٣ May", True) is None  # \d: another script's digit
    assert _word_text("“Shelling” — in Idlib", True) == "  shelling    in idlib"
    assert _word_text("“Shelling” — in Idlib", False) == "  Shelling    in Idlib"
    text = "ſhelling and ſlain; shelled on ٣ May"
    for pattern in (lexicon.TRIGGER_RE, dates.DATE_RE, pipeline._DEADLY_RE):
        assert _matches(pattern, text) == _matches(pattern.full, text)


def test_a_word_start_tries_only_the_alternatives_its_prefix_allows():
    # At "shelled" the automaton found "shel": the pattern tried there holds the alternatives with
    # a prefix that starts so, not every alternative starting with "s" (same matches: the
    # alternatives dropped cannot match there).
    narrow = lexicon.TRIGGER_RE._prefix_bucket("shel").pattern
    wide = lexicon.TRIGGER_RE._bucket("s").pattern
    assert narrow.count("(?P<") < wide.count("(?P<")
    text = "Regime forces shelled Saraqib; airstrikes and shellings hit it."
    assert _matches(lexicon.TRIGGER_RE, text) == _matches(OLD_TRIGGER_RE, text)


_SPACED_ATOMS = st.sampled_from(["a", "b", "ab", "[ab]", "a?", "\\s", "\\s+", "\\s*", "\\W", " ", "[\\s,]", "-",
                                 "(?:a\\s+b|b)", "\\d", "s", "I"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_SPACED_ATOMS, min_size=1, max_size=5).map("".join), min_size=1, max_size=4),
       st.booleans(), st.sampled_from([_W, r"\b"]),
       st.text(alphabet=st.sampled_from(list("abAB sI-,.\t\n\u00a0\u2009’é1_")), max_size=40))
def test_alternations_with_spaces_in_their_prefixes_match_like_the_plain_pattern(patterns, fold, prefix, text):
    # The automaton's prefixes go on through \s and \W (a space in the text's form, whatever the
    # space or mark written: tab, no-break space, "’"): same matches as the plain pattern.
    named = [(f"g{i}", p) for i, p in enumerate(patterns)]
    flags = re.IGNORECASE if fold else 0
    fast = Alternation(named, flags, prefix=prefix, suffix="")
    assert _matches(fast, text) == _matches(_plain(named, flags, prefix, ""), text)


def test_the_automaton_reads_past_the_spaces_of_a_phrase():
    # "a day earlier", "the next day": the prefixes go on past the space, so "a" and "the" alone
    # (in every text) are not where a date may start.
    forms = set().union(*dates.DATE_RE._piece_forms)
    assert "a day" in {f[:5] for f in forms} and "a" not in forms and "the" not in forms
    # ... and past digits (\d is 0-9 there: a text with another script's digit is the engine's):
    # "3 may", not every "3".
    assert "3 may" in forms and "3" not in forms
    text = ("Rebels took the town a day after the siege, and a week later the army; 3 days earlier, 5 killed "
            "on 3 May 2014 and on 2014-05-04")
    assert _matches(dates.DATE_RE, text) == _matches(dates.DATE_RE.full, text)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([*_ORIGIN_WORDS, "“as", "as”", "éas", "—", "Ḥamā", "İn", "ın", "ſince"]),
                max_size=14).map(" ".join),
       st.sampled_from(["", " as in the old", " than they were in", " fired from", " like in the", " as at",
                        " as\u00a0in", " than\u2009at the"]),
       st.sampled_from(["", " ", "\n", "\u00a0", "\u2009"]))
def test_not_event_before_answers_like_its_pattern_on_non_ascii_windows(words, ending, tail):
    # A window with non-ASCII text (no CASE_ODD letter) is also answered by the cheap check
    # first (str.lower and str.split see there the words and spaces the pattern needs).
    window = words + ending + tail
    got = lexicon.NOT_EVENT_BEFORE.search(window)
    expected = lexicon._NOT_EVENT_BEFORE.search(window)
    assert (got is None) == (expected is None)
    assert got is None or got.span() == expected.span()


def test_a_non_ascii_window_without_the_words_is_answered_without_the_search():
    class Refuses:
        def search(self, *args):
            raise AssertionError("searched")

    cue = lexicon._EndCue(Refuses())
    assert cue.search("Regime “barrel bombs” hit the town of ") is None  # no cue word: not searched
    with pytest.raises(AssertionError):
        cue.search("Regime “barrel bombs” fired from ")  # "from": the pattern decides
    with pytest.raises(AssertionError):
        cue.search("ıt was hit, as ın ")  # a CASE_ODD letter: the pattern decides


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_SPACED_ATOMS, min_size=1, max_size=5).map("".join), min_size=1, max_size=4),
       st.booleans(), st.text(alphabet=st.sampled_from(list("abAB sI-,.\t\u00a0’é1_ıſ")), max_size=40))
def test_alternations_without_a_word_start_match_like_the_plain_pattern(patterns, fold, text):
    # No prefix: a match may start inside a word, and the automaton's prefixes have no space
    # before them (Alternation._word_starts): same matches as the plain pattern.
    named = [(f"g{i}", p) for i, p in enumerate(patterns)]
    flags = re.IGNORECASE if fold else 0
    fast = Alternation(named, flags)
    assert _matches(fast, text) == _matches(re.compile("|".join(f"(?P<{n}>{p})" for n, p in named), flags), text)


def test_the_death_toll_pattern_finds_its_starts_with_an_automaton():
    # "killed 5", "the death toll rises to 12": matched inside no word, found by the automaton.
    pattern = events._FATALITY_RES[1]
    assert pattern._starts is not None and not pattern._shift
    text = "Shelling killed 5; the death toll rises to 12, skilled 3 and claimed the lives of 4"
    assert _matches(pattern, text) == _matches(pattern.full, text)
