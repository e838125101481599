"""Toponym finding: gazetteer names in running text, plus cue patterns for names it lacks.

The text is folded token by token with the one fold that also makes the gazetteer's name keys
(:func:`geo.gazetteer.names.fold_tokens`), keeping each token's span in the original text. One
Aho-Corasick automaton over all name keys then finds every gazetteer name in one pass, whatever
the transliteration, and whole-token matches map back to the original text. Everything here is
linear in the text's length.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left
from dataclasses import dataclass
from itertools import accumulate

import ahocorasick
import regex
from rapidfuzz import fuzz, process

from geo.alternation import split_top_level
from geo.extract.lexicon import (
    ARABIC_ARTICLE,
    DIRECTION_WORD,
    FAMILY_NAME,
    LANDMARK_HEAD_BEFORE,
    LANDMARK_HEADS,
    NON_LOCATION_CONTEXTS,
    NON_LOCATION_HINT,
    NOT_EVENT_BEFORE,
    NOT_PLACE_ADJECTIVES,
    PERSON_NAME,
    SPOKEN_AFTER,
    SPOKEN_BEFORE,
    SPOKEN_WORDS,
)
from geo.extract.text import SpanSet
from geo.gazetteer import Gazetteer
from geo.gazetteer.names import fold_spans, is_arabic, is_article, name_key
from geo.words import lacks_words, last_words

log = logging.getLogger(__name__)

# English words that are also names of small places in the region (or fold to one); a
# gazetteer match on them is ignored unless a cue ("the town of X") vouches for it.
COMMON_WORDS = frozenset(
    """a about after against air all also an and area army as at back bad bank bar base bay be bed
    big bir black border bridge but by camp can car case center central city coast cross dam day
    de deal dead did do doctor dome down east eastern end far farm field fire first for forces
    free from front gas gate general go god good great green group had has have he head her here
    high hill his home hope house in iron is it its job just key kill king lake land last life
    line little long main man mar march may me men mid mill more most mount much my new news no
    north not now of oil old on one or order our out over park part peace plain point port post
    power red rock round said saint salt sea second see she side so south spring square star state
    station stone sun sunday monday tuesday wednesday thursday friday saturday than that the their
    them then there they this time to top town tower two under up upper us valley wall war was
    water way we well were west western white will with work year you young zone idea ban bab
    harem hit ana rawa sur kale ada bor batman siirt van of-the al el ar as at ad az an northern
    southern central tal tel tall tell khan jisr ain ayn deir dayr kafr khirbet khirbat qasr beit bayt
    nahr sahl ard mazraa mazraat wadi jabal jebel tal ras umm abu bani rural desert coast""".split()
)
# The head words of place names ("Tell X", "Ain X", "Kafr X"): matched alone before a capitalised
# word, they are the start of a longer name the gazetteer lacks, not the place called just that.
NAME_HEAD_WORDS = frozenset(name_key(w) for w in (*LANDMARK_HEADS, *"""khan jisr ain ayn deir dayr kafr kfar
    qasr beit bayt nahr sahl ard mazraa ras umm abu bani bab bir marj""".split()))
# Names that are never event locations in this domain when found by the gazetteer alone.
NOT_LOCATIONS = frozenset(name_key(n) for n in (
    "Levant", "Sham", "Watan", "Arab", "Islam", "Daesh", "Nusra", "Kurdistan", "Rojava", "Jazeera",
    "Badia", "Euphrates", "Tigris", "Orontes", "Golan Heights", "Qalamoun", "Assad", "Bashar",
    "Hafez", "Putin", "Erdogan", "Baghdadi", "Julani", "Qaida", "Qaeda", "Old City",
))
# A datelines or byline at the start of the text or of a paragraph: "BEIRUT (AP) --",
# "AMMAN, Jordan, Aug 3 (Reuters) -", "DAMASCUS, Syria —", "Beirut (AFP) -", "Hasakah (Syria) (AFP) -".
# Not an event place.
DATELINE = re.compile(
    r"(?m)^[ \t]*(?:By [A-Z][\w.' -]{2,40}\n\s*)?"
    r"(?:[A-Z][A-Z'’.-]{2,}(?:[ /-][A-Z][A-Z'’.-]+){0,2}(?:,[ \t]*[A-Z][\w.]*(?:[ \t]+[\w.,]+){0,3})?"
    r"(?:[ \t]*\([^()\n]{1,30}\))?[ \t]*[-–—:]{1,2}"
    # "Beirut: Syrian jets shelled ..." (a place, a colon, then a full sentence of twelve words or
    # more; a short headline "Saraqib: four killed in airstrikes" keeps its place).
    r"|[A-Z][a-z'’.-]+(?:[ \t][A-Z][a-z'’.-]+)?:[ \t](?=(?:[^\n.!?]*?\s){12})"
    r"|[A-Z][\w'’.-]+(?:[ \t][A-Z][\w'’.-]+){0,2}(?:,[ \t]*[^()\n]{1,30}?)?"
    r"(?:[ \t]*\([A-Z][\w .]{1,20}\))?[ \t]*\((?:AP|AFP|Reuters|dpa|DPA|"
    r"SANA|UPI|Xinhua|Anadolu|AA|ANHA|TASS|Sputnik|RIA|IANS|ANI|CNN|BBC|Al Jazeera)\)[ \t]*[-–—:]{0,2})"
)


# Every DATELINE match holds one of these: a dash or colon after the place, or "(" of "(AP)".
_DATELINE_MARKS = ("-", "–", "—", ":", "(")


def datelines(text: str) -> list[tuple[int, int]]:
    """The spans of ``DATELINE.finditer(text)``: the pattern starts with ``^`` (MULTILINE), so
    it is matched at line starts only (a headline has one), not tried at every character."""
    spans: list[tuple[int, int]] = []
    if not any(map(text.__contains__, _DATELINE_MARKS)):
        return spans
    start, after = 0, 0
    while True:
        if start >= after and (match := DATELINE.match(text, start)) is not None:
            spans.append(match.span())
            after = match.end()
        newline = text.find("\n", start)
        if newline < 0:
            return spans
        start = newline + 1

# Between two names of one list: ", ", " and ", ", or " (with an adjective: ", eastern Aleppo").
_LIST_LINK = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or)\s+)(?:the\s+)?"
                        r"(?:(?:old|eastern|western|northern|southern|central|rural)\s+)?", re.IGNORECASE)
FOREIGN_MIN_POPULATION = 20_000
_KIND_CUE = re.compile(
    r"(?P<a1pre>(?:the\s+)?(?:(?:north|south|east|west)(?:ern|\w*)?\s+|central\s+|eastern\s+|western\s+)?"
    r"(?:province|governorate)\s+of\s+)$"
    r"|(?P<pppre>(?:the\s+)?(?:(?:\w+ern|central|border|northern|southern|eastern|western|strategic|"
    r"besieged|rebel-held|opposition-held|government-held|regime-held|key)\s+)*(?:town|village|city|"
    r"neighbo(?:u)?rhood|district|suburb|area|hamlet|farms?)\s+of\s+)$",
    re.IGNORECASE,
)
_RURAL_BEFORE = re.compile(r"(?:rural|countryside of|the countryside of)\s+$", re.IGNORECASE)
_KIND_CUE_AFTER = re.compile(
    r"^(?P<a1post>\s+(?:province|governorate))\b|^(?P<cs>(?:'s)?\s+(?:countryside|suburbs|outskirts|"
    r"environs|rural areas))\b|^(?P<pppost>\s+(?:town|city|village))\b",
    re.IGNORECASE,
)
# A capitalised name (with Arabic articles and connecting words) after a strong cue: used to
# report places the gazetteer lacks.
_NAME = r"(?:(?:al|el|ar|as|ash|at|ad|az|an|ad-|Al|El)[-\s])?[A-Z][\w'’‘`-]+(?:\s(?:(?:al|el|ar|as|ash|at|ad|az|an|bin|ibn|abu|Abu|Bani|Beni)[-\s])?[A-Z][\w'’‘`-]+){0,3}"
_NAME_START = r"(?<![\w'’-])"  # not inside a word: "veteran Bab" holds no name "an Bab"
_CAPITALISED = re.compile(_NAME_START + _NAME)
_ENGLISH_ARTICLES = ("at ", "as ", "an ")  # Arabic articles that are also English words
_CUE_NAME = re.compile(
    r"\b(?:town|village|villages|city|hamlet|neighbo(?:u)?rhood|district|suburb|area|farms|outskirts|vicinity|"
    r"countryside|province|governorate|camp)\s+of\s+(?P<n1>" + _NAME + r")"
    r"|\b(?:near|around|outside|in)\s+(?:the\s+)?(?:village|town)\s+(?P<n2>" + _NAME + r")"
    r"|\b(?:villages?|towns?)\s+(?:of\s+)?(?P<n3>" + _NAME + r")"
    r"|" + _NAME_START + r"(?P<n4>" + _NAME + r")(?:'s|’s)?\s+(?:town|village|area|city|camp|neighbo(?:u)?rhood|district|front|hill|"
    r"airbase|air base|airport|military airport|base|field|dam|crossing|checkpoint|suburbs?|plain|basin|mountain|"
    r"mount|quarter|road|highway|square|roundabout|prison)\b",
)

# _CUE_NAME and _CAPITALISED as searched (same matches): every match starts at a word (\b, or
# _NAME_START), so the searched pattern takes the character before it too, a character that is
# no word's ("\W", or one _NAME_START allows): the engine skips in C to those (about one in six)
# instead of trying every alternative at every character. The text is searched with a space
# before it (the first word has one) and the spans are shifted back. Two matches never need the
# same character before them: a match ends with a letter or at a character no name holds.
_CUE_ALTERNATIVES = split_top_level(_CUE_NAME.pattern)
assert all(a.startswith(r"\b") for a in _CUE_ALTERNATIVES[:3]) and _CUE_ALTERNATIVES[3].startswith(_NAME_START)
# A name's words are taken whole (possessive "++"): where a cue must follow the name (the last
# alternative), a shorter word would be followed by a character of the word, which neither
# another word of the name nor the cue ("'s", then whitespace) starts with, unless the whole
# word ends so too: giving back its characters one by one never finds another match.
_CUE_NAME_AFTER = re.compile((r"\W(?:" + "|".join([a[2:] for a in _CUE_ALTERNATIVES[:3]]
                                                 + [r"(?<=[^\w'’-])" + _CUE_ALTERNATIVES[3][len(_NAME_START):]]) + ")"
                              ).replace("[\\w'’‘`-]+", "[\\w'’‘`-]++"))
_CAPITALISED_AFTER = re.compile(r"[^\w'’-]" + _NAME)


def cue_name_spans(text: str) -> list[tuple[str, int, int]]:
    """(group, start, end) of the name of each ``_CUE_NAME.finditer(text)`` match ("n1"...)."""
    out = []
    for match in _CUE_NAME_AFTER.finditer(" " + text):
        group = next(g for g in ("n1", "n2", "n3", "n4") if match.group(g))
        start, end = match.span(group)
        out.append((group, start - 1, end - 1))
    return out


def capitalised_spans(text: str) -> list[tuple[int, int]]:
    """The spans of ``_CAPITALISED.finditer(text)``."""
    return [(match.start(), match.end() - 1) for match in _CAPITALISED_AFTER.finditer(" " + text)]


# Every match of _CUE_NAME holds one of these words (case-sensitive, as the pattern).
_CUE_WORDS = ("town", "village", "city", "hamlet", "neighbo", "district", "suburb", "area", "farms", "outskirts",
              "vicinity", "countryside", "province", "governorate", "camp", "front", "hill", "base", "airport",
              "field", "dam", "crossing", "checkpoint", "plain", "basin", "mount", "quarter", "road", "highway",
              "square", "roundabout", "prison")


# The token before a name, when it is an Arabic article ("al-Bab", "Al Tabqa", "Aş Şafşāfah"):
# the fold drops articles, so the span is extended back over it here.
_TOKEN_BEFORE = re.compile(r"(?<![\w'’`ʿ\u0300-\u036f])([\w'’`ʿ\u0300-\u036f]{2,6})[-\s]$")


_CUE_TAIL = re.compile(r"(?:of|rural)\s+$", re.IGNORECASE)


def _reverse(pattern: re.Pattern) -> regex.Pattern:
    """An end-anchored pattern searched from the end (the ``regex`` module's REVERSE): ``re`` tries
    it at every position of the window, and the adjective runs of _KIND_CUE backtrack at each."""
    return regex.compile(pattern.pattern, (regex.IGNORECASE if pattern.flags & re.IGNORECASE else 0)
                         | regex.REVERSE | regex.V0)


def end_search(pattern: re.Pattern, reverse: regex.Pattern, window: str) -> re.Match | regex.Match | None:
    """``pattern.search(window)`` for a pattern whose alternatives all end at ``$``: whether it
    matches, and which named alternative. An ASCII window is searched from its end (same answer:
    the two modules agree on ASCII text); any other window by ``re`` itself, since the modules'
    ``\\w`` and case folding differ on some non-ASCII letters and marks."""
    return (reverse if window.isascii() else pattern).search(window)


_KIND_CUE_REVERSE = _reverse(_KIND_CUE)
_SPOKEN_BEFORE_REVERSE = _reverse(SPOKEN_BEFORE)
_SPOKEN_PREPOSITIONS = frozenset(("in", "to", "at", "from", "into"))


def _spoken_before(window: str) -> bool:
    """Whether SPOKEN_BEFORE matches at the end of ``window``. Every match ends with a preposition
    (and "the"), then whitespace: an ASCII window (where str.lower and str.split agree with the
    pattern's IGNORECASE and \\s) that does not end so is answered without a search."""
    if window.isascii():
        tail = last_words(window)
        if tail and tail[-1] == "the":
            tail.pop()
        if not tail or tail[-1] not in _SPOKEN_PREPOSITIONS:
            return False
    if lacks_words(window, SPOKEN_WORDS):
        return False
    return end_search(SPOKEN_BEFORE, _SPOKEN_BEFORE_REVERSE, window) is not None


def _cue_before(before: str) -> re.Match | regex.Match | None:
    """_KIND_CUE at the end of ``before``; every cue ends in "of ", so most texts are answered
    by a cheap tail check instead of an end-anchored search."""
    if not _CUE_TAIL.search(before, max(0, len(before) - 12)):
        return None
    return _kind_cue(before)


# The nouns of _KIND_CUE, one of which ends the word before its "of" (the pattern has no \b).
_KIND_NOUNS = ("province", "governorate", "town", "village", "city", "neighbourhood", "neighborhood", "district",
               "suburb", "area", "hamlet", "farm", "farms")


def _kind_cue(before: str) -> re.Match | regex.Match | None:
    """``end_search(_KIND_CUE, ...)`` on ``before``: an ASCII window whose last words are not
    "<noun> of" is answered without the search (every match ends so)."""
    if before.isascii():
        words = last_words(before)
        if len(words) < 2 or words[1] != "of" or not words[0].endswith(_KIND_NOUNS):
            return None
    return end_search(_KIND_CUE, _KIND_CUE_REVERSE, before)


def _rural_before(before: str) -> bool:
    """``_RURAL_BEFORE.search(before)``: its matches end with "rural" or "countryside of" (and
    whitespace), which an ASCII window's last words show without the search."""
    if before.isascii():
        words = last_words(before)
        if not words or not (words[-1].endswith("rural")
                             or (len(words) == 2 and words[1] == "of" and words[0].endswith("countryside"))):
            return False
    return _RURAL_BEFORE.search(before) is not None


# Article spellings that are also English words: "at Tal..." is a preposition, "at-Tal" an article.
_ENGLISH_WORDS = frozenset({"at", "an", "as", "ad", "en", "es", "et", "ed", "er", "il", "ul"})
SMALL_PLACE_POPULATION = 1
_PREV_WORD = re.compile(r"(?<![.!?:;\n])\s([A-Z][a-z'’]+)\s+$")
_NEXT_WORD = re.compile(r"\s([A-Z][a-z'’]+)\b")
# The rest of a quarter's name after a place's name, and the word that says it is a quarter: "[Qasr]
# al-Tell neighbourhood", "[Dahr] al-Jabal neighbourhood", "[Bab] Tadmur district".
_QUARTER_TAIL = re.compile(r"((?:\s+(?:" + ARABIC_ARTICLE + r")?[A-Z][\w'’]*)*)\s+(?:neighbou?rhoods?|quarters?|district)\b")
_FIRST_WORD = re.compile(r"[^\W\d_]+")
_PART_OF_AREA_BEFORE = re.compile(r"\b" + DIRECTION_WORD + r"ern\s+$|\bcentral\s+$", re.IGNORECASE)
_PREV_NAME_WORD = re.compile(r"(?<![.!?:;\n])\s([A-Z][a-z'’]+)\s+(?:" + ARABIC_ARTICLE + r")?$")
# Capitalised words that may stand next to a village name without making it part of a longer name.
_NOT_NAME_WORDS = frozenset("""The In At On Near Of And Or From To By Into Syria Syrian Province Governorate
    Village Town City District Countryside North South East West Northern Southern Eastern Western
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
    August September October November December Desert Badia Countryside Plain Plains Mountain Mountains
    Valley Hills Hill Road Highway Camp Airport Airbase Base Dam Lake River Front Area Region Suburbs
    Outskirts Border Crossing Neighbourhood Neighborhood Quarter Square Governorate Province""".split())


@dataclass(frozen=True, slots=True)
class FoundName:
    """A gazetteer name key found in the text, with its span in the original text."""

    key: str
    start: int
    end: int
    surface: str
    kind_hint: str | None
    countryside: bool = False


@dataclass(frozen=True, slots=True)
class FoldedText:
    """A text folded token by token with the one fold (:func:`geo.gazetteer.names.fold_tokens`).

    ``folded`` is the folded ``tokens`` joined by single spaces; token i starts at ``fstart[i]``
    in it and spans ``ostart[i]:oend[i]`` in the original text. Names match whole tokens only, so
    a match maps back through its first and last token (no per-character map is needed)."""

    folded: str
    tokens: list[str]
    ostart: list[int]
    oend: list[int]

    @property
    def fstart(self) -> list[int]:
        # Token i starts after the i tokens before it and their i separating spaces (len + 1 each).
        return list(accumulate(map((1).__add__, map(len, self.tokens[:-1])), initial=0)) if self.tokens else []

    def token_at(self, pos: int) -> int | None:
        """The index of the token that starts at ``pos`` of ``folded`` (None: no token does), for a
        ``pos`` at the start of ``folded`` or after a space. Where no token holds a space (a
        folded token may: "﷽" folds to four words), token i starts after the i-th space."""
        if len(self.tokens) == self.folded.count(" ") + 1:
            return self.folded.count(" ", 0, pos)
        starts = self.fstart
        first = bisect_left(starts, pos)
        return first if first < len(starts) and starts[first] == pos else None


def fold_text(text: str) -> FoldedText:
    tokens, ostart, oend = fold_spans(text)
    return FoldedText(" ".join(tokens), tokens, ostart, oend)



def family_name_spans(text: str, masked: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where the text names alone a person it named in full ("Sheikh Nasser al-Khatib ...
    Khatib was killed"): those family names, not villages that share them."""
    families = set()
    for start, end in masked:
        if PERSON_NAME.fullmatch(text, start, end) and (family := FAMILY_NAME.search(text, start, end)):
            families.add(family.group(1))
    if not families:
        return []
    alone = re.compile(r"\b(?:(?:al|el)[-\s])?(?:" + "|".join(map(re.escape, sorted(families))) + r")\b")
    return [m.span() for m in alone.finditer(text)]


def _in_a_quarters_name(text: str, start: int, end: int) -> bool:
    """Whether the name at start:end is one word of a longer name that the text calls a
    neighbourhood, quarter or district ("the Qasr al-Tell neighbourhood"): that quarter is where it
    happened, not a town that shares one of its words. (A name that is the whole quarter's name,
    "the Jisr al-Shughur district", is the place: its district.)"""
    tail = _QUARTER_TAIL.match(text, end, min(len(text), end + 60))
    if tail is None:
        return False
    prev = _PREV_NAME_WORD.search(text, max(0, start - 30), start)
    return bool(tail.group(1).strip()) or (prev is not None and prev.group(1) not in _NOT_NAME_WORDS)

class ToponymFinder:
    """Finds gazetteer names (one automaton pass) and cue-pattern names in a text."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.automaton = ahocorasick.Automaton()
        for key, indices in gazetteer.by_key.items():
            if len(key) < 3 or key in NOT_LOCATIONS:
                continue
            if not any(self._searchable(gazetteer.places[i]) for i in indices):
                continue
            # Padded with spaces: the automaton reports only whole-token matches (in the folded
            # text, padded alike), not every key inside a longer word.
            self.automaton.add_word(f" {key} ", key)
        self.automaton.make_automaton()
        # Keys of countries and governorates: a tiny village whose name is one letter off one of
        # them ("Syra") is read as the typo of the prominent name, not as the village.
        self._prominent = [k for k, idx in gazetteer.by_key.items()
                           if any(gazetteer.places[i].kind == "country" or (gazetteer.places[i].kind == "admin1"
                                  and gazetteer.places[i].country_code == "SY") for i in idx)]
        self._prominent_set = frozenset(self._prominent)
        # The keys a near miss is compared with, by first letter (in the order above): built once,
        # not filtered from every prominent key for each name.
        self._prominent_by_initial: dict[str, list[str]] = {}
        for k in self._prominent:
            if len(k) >= 5:
                self._prominent_by_initial.setdefault(k[0], []).append(k)
        self._typo: dict[str, bool] = {}
        self._key_flags: dict[str, tuple[bool, bool]] = {}  # (keys of the automaton: bounded)
        self._masked_for: str | None = None
        self._masked: list[tuple[int, int]] = []

    def searches(self, key: str) -> bool:
        """Whether the automaton looks for this name key in texts."""
        return f" {key} " in self.automaton

    @staticmethod
    def _searchable(place) -> bool:
        """Syrian places, and the neighbours' countries, provinces and towns of 20,000 or more.

        Small foreign villages share names with Syrian ones ("Safa", "Jisr") and would pull
        events across the border; they stay reachable through the geocoder."""
        return (place.country_code == "SY" or place.kind in ("country", "admin1")
                or place.population >= FOREIGN_MIN_POPULATION)

    def find(self, text: str) -> list[FoundName]:
        ft = fold_text(text)
        if not ft.folded:
            return []
        hits: list[tuple[int, int, str]] = []  # (first token, last token, key)
        # " key " ending at ``end`` of " folded ": the key starts at end - len(key) - 1 in the
        # folded text, between spaces (or its ends). Whole tokens only: it starts a token (a
        # folded token can itself hold a space: "﷽" folds to four words).
        for end, key in self.automaton.iter(f" {ft.folded} "):
            first = ft.token_at(end - len(key) - 1)
            if first is not None:
                hits.append((first, first + key.count(" "), key))
        if not hits:
            return []
        masked = SpanSet([*self.masked_spans(text), *datelines(text)])
        # Longest match wins; overlapping shorter matches are dropped. Token occupancy makes the
        # overlap check cost the length of the name, not the number of names chosen so far.
        taken = bytearray(len(ft.tokens))
        chosen: list[tuple[int, int, str]] = []
        for first, last, key in sorted(hits, key=lambda h: (-len(h[2]), h[0])):
            if any(taken[first:last + 1]):
                continue
            taken[first:last + 1] = b"\x01" * (last + 1 - first)
            chosen.append((first, last, key))
        chosen.sort()
        found: list[FoundName] = []
        refused_end = -1  # end of the last name refused as a place of speech, origin or comparison
        for first, last, key in chosen:
            o_start, o_end = ft.ostart[first], ft.oend[last]
            if masked.contains(o_start):
                continue
            # An article written before the name ("al-Bab", "Al Tabqa") belongs to it, and marks
            # it as a name even when the rest is a common word.
            before = _TOKEN_BEFORE.search(text, max(0, o_start - 8), o_start)
            article = before is not None and is_article(before.group(1)) and (
                before.group(0)[-1] == "-" or before.group(1)[0].isupper()
                or before.group(1).lower() not in _ENGLISH_WORDS)
            if article:
                o_start = before.start(1)
            if text[o_end - 2 : o_end] in ("'s", "’s"):
                o_end -= 2
            surface = text[o_start:o_end]
            if not article and not self._plausible(text, o_start, surface, key):
                continue
            if self._spoken(text, o_start, o_end) or (
                    refused_end >= 0 and _LIST_LINK.fullmatch(text, refused_end, o_start) is not None):
                refused_end = o_end  # the rest of a list shares the refused name's role
                continue
            if self._inside_longer_name(text, o_start, o_end, key):
                continue
            kind_hint, countryside = self._kind_from_context(text, o_start, o_end)
            found.append(FoundName(key, o_start, o_end, surface, kind_hint, countryside))
        return found

    def masked_spans(self, text: str) -> list[tuple[int, int]]:
        """Spans of organisations, outlets and group names (NON_LOCATION_CONTEXTS), computed once
        per text: the finder's three passes over one text share them."""
        if self._masked_for is not text:
            spans = [m.span() for m in NON_LOCATION_CONTEXTS.finditer(text)] \
                if NON_LOCATION_HINT.search(text) is not None else []
            self._masked = spans + family_name_spans(text, spans) if spans else spans
            self._masked_for = text
        return self._masked

    def clear_caches(self) -> None:
        self._typo.clear()
        self._key_flags.clear()

    def is_typo_of_prominent(self, key: str) -> bool:
        """Whether a key is a near miss (not equal) of a country's or governorate's key (asked
        once per key: a fuzzy comparison)."""
        typo = self._typo.get(key)
        if typo is None:
            if len(self._typo) > 50_000:
                self._typo.clear()
            typo = self._typo[key] = self._is_typo_of_prominent(key)
        return typo

    def _is_typo_of_prominent(self, key: str) -> bool:
        if key in self._prominent_set or len(key) < 4:
            return False
        same_initial = [k for k in self._prominent_by_initial.get(key[0], ()) if abs(len(k) - len(key)) <= 1]
        return bool(same_initial) and process.extractOne(key, same_initial, scorer=fuzz.ratio,
                                                         score_cutoff=88) is not None

    @staticmethod
    def _spoken(text: str, start: int, end: int) -> bool:
        """"Ankara said", "talks in Geneva", "fired from X", "than in X": where something was
        said, or a place of origin or comparison, not where it happened."""
        return bool(SPOKEN_AFTER.match(text, end, min(len(text), end + 30))
                    or _spoken_before(text[max(0, start - 50):start])
                    or NOT_EVENT_BEFORE.search(text[max(0, start - 80):start]))

    def _inside_longer_name(self, text: str, start: int, end: int, key: str) -> bool:
        """A small place (a village without a population figure) whose name is one word of a
        longer proper name ("Abdul Rahman", "Ahmed Balas"): a person or an organisation, unless a
        cue ("the village of") vouches for it."""
        flags = self._key_flags.get(key)
        if flags is None:
            flags = self._key_flags[key] = self._flags_of(key)
        typo_village, populated = flags
        if typo_village and not _cue_before(text[max(0, start - 25):start]):
            return True  # "Syra": a typo of Syria, not the village
        if _in_a_quarters_name(text, start, end):
            return True  # "the Qasr al-Tell neighbourhood" is a quarter, not the town of al-Tell
        if key in NAME_HEAD_WORDS and (nxt := _NEXT_WORD.match(text, end, min(len(text), end + 25))) \
                and nxt.group(1) not in _NOT_NAME_WORDS:
            return True  # "the town of Tel Shehab": a place the gazetteer lacks, not the town of Tell
        if populated:
            return False
        before = text[max(0, start - 25):start]
        if _cue_before(before) or LANDMARK_HEAD_BEFORE.search(before):
            return False  # "the village of X"; "Tal al-X", the hill named after X (see the pipeline)
        prev = _PREV_WORD.search(before)
        nxt = _NEXT_WORD.match(text, end, min(len(text), end + 25))
        return bool((prev and prev.group(1) not in _NOT_NAME_WORDS) or (nxt and nxt.group(1) not in _NOT_NAME_WORDS))

    def _flags_of(self, key: str) -> tuple[bool, bool]:
        """(only small villages bear the key and it is a typo of a prominent name, some place
        bearing it has a population figure): facts of the gazetteer, once per key."""
        places = [self.gazetteer.places[i] for i in self.gazetteer.by_key.get(key, ())]
        typo_village = all(p.population < SMALL_PLACE_POPULATION and p.kind == "populated_place" for p in places) \
            and self.is_typo_of_prominent(key)
        return typo_village, any(p.population >= SMALL_PLACE_POPULATION for p in places)

    def _plausible(self, text: str, start: int, surface: str, key: str) -> bool:
        if is_arabic(surface):
            return True
        if not surface[:1].isupper():
            return False  # names are capitalised in English news text
        if key in COMMON_WORDS:
            before = text[max(0, start - 40) : start]
            return bool(_cue_before(before))
        # "Syrian", "Aleppan": a demonym is not the place.
        return True

    @staticmethod
    def _kind_from_context(text: str, start: int, end: int) -> tuple[str | None, bool]:
        before = text[max(0, start - 60) : start]
        after = text[end : end + 30]
        tail = _CUE_TAIL.search(before, max(0, len(before) - 12))  # (what _cue_before checks first)
        if tail and _rural_before(before):
            return None, True
        cue = _kind_cue(before) if tail else None
        if cue:
            return ("admin1" if cue.group("a1pre") else "populated_place"), False
        post = _KIND_CUE_AFTER.match(after)  # every alternative is anchored at the start
        if post:
            if post.group("a1post"):
                return "admin1", False
            if post.group("cs"):
                return None, True
            return "populated_place", False
        if before.endswith(" ") and _PART_OF_AREA_BEFORE.search(before, max(0, len(before) - 20)):
            # "in northern Hama": the part of the area that way, as ACLED places "north of Hama":
            # at the town, precision 2 (the city's own north, "northern Aleppo", is within it)
            return "near", False
        return None, False

    def capitalised_names(self, text: str, covered: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
        """Capitalised word sequences the automaton did not match, for the geocoder's looser tiers
        ("Jesr al-Shughur", "KafrZitta"). Masked contexts and common words are skipped."""
        blocked = SpanSet([*covered, *self.masked_spans(text)])
        out = []
        for start, end in capitalised_spans(text):
            if blocked.overlaps(start, end):
                continue
            surface = text[start:end]
            if surface[:3] in _ENGLISH_ARTICLES:
                # "at Sarmaniyah": the English word, not the article of "at-Tall" (the key drops
                # either, so only the span changes).
                start += 3
                surface = surface[3:]
            key = name_key(surface)
            if key in COMMON_WORDS or len(key) < 4:
                continue
            out.append((surface, start, end))
        return out

    def cue_names(self, text: str) -> list[tuple[str, int, int]]:
        """Capitalised names after strong cues ("the village of X"), with spans."""
        if not any(map(text.__contains__, _CUE_WORDS)):
            return []  # every cue of _CUE_NAME holds one of the words (most texts have none)
        masked = SpanSet(self.masked_spans(text))
        out = []
        for _, start, end in cue_name_spans(text):
            if masked.contains(start):
                continue
            first = _FIRST_WORD.match(text, start, end)
            if first is not None and first.group(0).lower() in NOT_PLACE_ADJECTIVES:
                continue  # "Syrian town", "Kurdish neighbourhood": no town is named
            out.append((text[start:end], start, end))
        return out
