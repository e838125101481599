"""Stage 3 of the pipeline: names found in a text to places.

:class:`PlaceResolver` finds the names (the toponym finder's exact names, plus loose spellings the
text supports and phrases such as "the capital") and resolves each to a gazetteer place. A name
whose namesakes lie far apart is decided by the text's evidence, strongest first (see
:meth:`PlaceResolver._choose`); the geocoder's ``resolve()`` has the last word (a dominant town,
the namesakes' shared governorate, or nothing: never a guess).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from geo.extract.lexicon import (
    DIRECTION,
    DIRECTION_WORDS,
    NOT_EVENT_BEFORE,
    SPOKEN_AFTER,
)
from geo.extract.text import Span, SpanSet, index_of
from geo.extract.toponyms import FoundName, ToponymFinder
from geo.gazetteer import Candidate, Gazetteer, LocalGeocoder, name_key
from geo.gazetteer.geocoder import (
    NAMESAKE_KM,
    NEAR_SUPPORT_KM,
    Resolution,
    farther_than,
)
from geo.gazetteer.names import skeleton_key
from geo.models import Mention, Place
from geo.words import lacks_words, last_words

# Loose (skeleton/fuzzy) matches of capitalised names must score at least this.
LOOSE_MIN_SCORE = 0.72
# Phrases that name a place without a proper name: "the capital" (not followed by a name) is
# Damascus; the Idlib de-escalation zone goes by several descriptions.
# Each with words one of which is in every match (in any case): a text without them is not searched.
_PHRASE_PLACES: tuple[tuple[re.Pattern, str, str, tuple[str, ...]], ...] = (
    (re.compile(r"\bthe (?:Syrian )?capital\b(?!,?\s+(?:city\s+)?[A-Z])"), "Damascus", "populated_place",
     ("capital",)),
    (re.compile(r"[“\"]?(?:Putin\s*[–—-]\s*Erdogan|de-?escalation|demilitari[sz]ed|buffer)[”\"]?\s+(?:zone|area)",
                re.IGNORECASE), "Idlib de-escalation zone", "admin2", ("putin", "escalation", "demilitari", "buffer")),
)

# A list of names before "Mountains": "al-Turkmen and al-Akrad Mountains" (the names of ranges).
_RANGE_NAME = r"(?:(?:al|el|as|ash|at|az|ad|an)[-\s])?[A-Z][\w'’-]+"
_RANGE_NAME_RE = re.compile(r"(?<![\w'’-])" + _RANGE_NAME)
_RANGES = re.compile(r"(?<![\w'’-])(" + _RANGE_NAME + r"(?:(?:\s*,\s*|\s+and\s+)" + _RANGE_NAME + r")*)\s+[Mm]ountains?\b")
# (and the object of an attack: "shelled X", "stormed X")
_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|at|near|from|outside|around|towards?|into|of|village|town|city|hamlet|shelled|bombed|stormed|"
    r"captured|recaptured|seized|besieged|raided)\s+(?:the\s+)?$", re.IGNORECASE)
_LOCATIVE_WORDS = ("in", "at", "near", "from", "outside", "around", "toward", "towards", "into", "of", "village",
                   "town", "city", "hamlet", "shelled", "bombed", "stormed", "captured", "seized", "besieged", "raided")


def _locative_before(text: str, start: int) -> bool:
    """``_LOCATIVE_BEFORE.search(text, start - 25, start)``: every match ends with one of
    _LOCATIVE_WORDS (and "the"), then whitespace, which an ASCII window's last words show."""
    window = text[max(0, start - 25):start]
    if window.isascii():
        words = last_words(window)
        if words[-1:] != ["the"]:
            words = words[-1:]  # (after "the", the word before it is the cue: "in the ")
        if not any(w.endswith(_LOCATIVE_WORDS) for w in words):
            return False
    return _LOCATIVE_BEFORE.search(text, max(0, start - 25), start) is not None


# "X village", "X town": the text says X is a place. ("X neighbourhood" is a city's quarter: no
# support for a village that a loose spelling finds elsewhere.)
_LOCATIVE_AFTER = re.compile(r"\s+(?:village|town|city|hamlet|camp)\b", re.IGNORECASE)
_PLAIN_WORD = re.compile(r"[A-Z][a-z]+(?:['’]s)?$")


def direction_search(pattern: re.Pattern, text: str, pos: int, endpos: int) -> re.Match | None:
    """``pattern.search(text, pos, endpos)`` for a pattern that needs a compass word: not searched
    where ``text[pos:endpos]`` holds none (most names have no direction before them)."""
    return None if lacks_words(text[pos:endpos], DIRECTION_WORDS) else pattern.search(text, pos, endpos)
# "east of X", "the southern countryside of X", "north rural X": X is the anchor, the direction is
# where the sentence's other places lie from it.
_DIRECTION_BEFORE = re.compile(
    DIRECTION + r"\s+(?:(?:countryside|outskirts|suburbs|rural|parts?|side|areas?)\s+)?(?:of\s+)?(?:the\s+)?"
    r"(?:(?:city|town|province|governorate|countryside)\s+of\s+)?$", re.IGNORECASE)


def _direction_before(text: str, pos: int, endpos: int) -> re.Match | None:
    """``_DIRECTION_BEFORE.search(text, pos, endpos)``. Every match starts with a compass word: in
    an ASCII window (where str.lower keeps the positions) the pattern is tried only where one
    is written, the first that matches being the leftmost match, not at every character."""
    window = text[pos:endpos]
    if lacks_words(window, DIRECTION_WORDS):
        return None
    if not window.isascii():
        return _DIRECTION_BEFORE.search(text, pos, endpos)
    low = window.lower()
    starts = []
    for word in DIRECTION_WORDS:
        at = low.find(word)
        while at >= 0:
            starts.append(at)
            at = low.find(word, at + 1)
    for at in sorted(starts):
        if (match := _DIRECTION_BEFORE.match(text, pos + at, endpos)) is not None:
            return match
    return None
# "X's northern countryside", "X eastern countryside"
_DIRECTION_AFTER = re.compile(r"(?:['’]s)?\s+" + DIRECTION + r"\s+(?:countryside|outskirts|suburbs)\b", re.IGNORECASE)
BEARINGS = {"north": 0.0, "northeast": 45.0, "east": 90.0, "southeast": 135.0, "south": 180.0,
             "southwest": 225.0, "west": 270.0, "northwest": 315.0}
# A place "east of X" lies within this many degrees of due east from X, and this close to it.
DIRECTION_TOLERANCE_DEG = 67.5
DIRECTION_MAX_KM = 150.0
# ... and the phrase starts at most this many characters after X.
DIRECTION_REACH = 40


def _bearing(origin: tuple[float, float], target: tuple[float, float]) -> float:
    """Compass bearing in degrees from origin to target (flat approximation: short distances)."""
    dlat = target[0] - origin[0]
    dlon = (target[1] - origin[1]) * math.cos(math.radians(origin[0]))
    return math.degrees(math.atan2(dlon, dlat)) % 360.0


def bearing_of(direction: str) -> float:
    """The compass bearing of a direction word as written: "East" 90, "north-west" 315."""
    return BEARINGS[direction.lower().replace("-", "")]


def lies_towards(origin: tuple[float, float], target: tuple[float, float], direction: str) -> bool:
    """Whether ``target`` lies in ``direction`` ("east", "north-west"...) from ``origin``, near it."""
    wanted = bearing_of(direction)
    gap = abs((_bearing(origin, target) - wanted + 180.0) % 360.0 - 180.0)
    return gap <= DIRECTION_TOLERANCE_DEG and not farther_than(origin, target, DIRECTION_MAX_KM)


# Between two names of one list: ", ", " and ", ", and ", " or ", " & ".
_LIST_JOIN = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+|\s*&\s*)")
_PLURAL_AREAS_AFTER = re.compile(r"(?:['’]s)?\s+(?:provinces|governorates|countrysides)\b", re.IGNORECASE)


def _query(name: FoundName) -> tuple[str, str | None]:
    """(surface, feature kind) to look a found name up with: "the X" by its key, and the kind the
    text asks for when it is one the geocoder ranks by."""
    surface = name.surface if not name.surface.lower().startswith("the ") else name.key
    return surface, name.kind_hint if name.kind_hint in ("admin1", "populated_place") else None


def _memo(cache: dict, key: tuple, compute):  # type: ignore[no-untyped-def]
    """``cache[key]``, computed once; the cache is emptied when it grows past 50,000 entries."""
    found = cache.get(key)
    if found is None:
        found = compute()
        if len(cache) > 50_000:
            cache.clear()
        cache[key] = found
    return found


def most_named(per_sentence: dict[int, list[str]]) -> list[str]:
    """The names of all sentences (each sentence's names distinct), the most often named first,
    ties in the order first named."""
    if len(per_sentence) == 1:  # (each counted once: the order they were named in)
        return list(next(iter(per_sentence.values())))
    counts: dict[str, int] = {}
    for named in per_sentence.values():
        for a in named:
            counts[a] = counts.get(a, 0) + 1
    return sorted(counts, key=counts.__getitem__, reverse=True)  # (stable: Counter.most_common's order)


def _centre(points: list[tuple[float, float]]) -> tuple[float, float]:
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


class PlaceResolver:
    """Names to places for one gazetteer (its geocoder and toponym finder), with per-name caches."""

    def __init__(self, gazetteer: Gazetteer, geocoder: LocalGeocoder, finder: ToponymFinder) -> None:
        self.gazetteer = gazetteer
        self.geocoder = geocoder
        self.finder = finder
        self._rank_cache: dict[tuple, list[Candidate]] = {}
        self._resolve_cache: dict[tuple, Resolution] = {}
        self._ranked_cache: dict[tuple, tuple[list[Candidate], bool]] = {}
        # Facts of the gazetteer per name key found by the automaton (bounded by its keys).
        self._key_admin1: dict[str, set[str]] = {}
        self._key_areas: dict[str, list[Place]] = {}

    def clear_caches(self) -> None:
        self._rank_cache.clear()
        self._resolve_cache.clear()
        self._ranked_cache.clear()
        self._key_admin1.clear()
        self._key_areas.clear()
        self.finder.clear_caches()
        self.geocoder.clear_caches()

    def find_names(self, text: str) -> list[FoundName]:
        """The place names of a text, in text order: exact gazetteer names, supported loose
        spellings and place phrases, with "countryside" shared along lists of governorates."""
        found = self.finder.find(text)
        found += self._loose_names(text, found)
        if "ountain" in text:  # (every _RANGES match holds it)
            found = self._mountain_ranges(text, found)
        found.sort(key=lambda f: f.start)
        return self._spread_countryside(text, found)

    def _mountain_ranges(self, text: str, found: list[FoundName]) -> list[FoundName]:
        """"The al-Akrad Mountains", "the Turkmen and Akrad mountains": ranges the gazetteer calls
        Jabal X. Where "Jabal X" is a Syrian place, it replaces whatever the bare name matched (a
        village named like the range, a loose spelling far away); else the names stay as found."""
        for match in _RANGES.finditer(text):
            ranges: list[FoundName] = []
            for name in _RANGE_NAME_RE.finditer(text, match.start(1), match.end(1)):
                cands = self._rank("Jabal " + name.group())
                if cands and cands[0].place.country_code == "SY" and cands[0].score >= LOOSE_MIN_SCORE:
                    # (looked up by the range's name: the text's bare name would find the village)
                    ranges.append(FoundName(name_key(cands[0].matched_name), name.start(), name.end(),
                                            cands[0].matched_name, None))
            if ranges:
                spans = SpanSet((r.start, r.end) for r in ranges)
                found = [f for f in found if not spans.overlaps(f.start, f.end)] + ranges
        return found

    def _rank(self, surface: str, **hints) -> list[Candidate]:
        key = (name_key(surface), tuple(sorted(hints.items())))
        return _memo(self._rank_cache, key, lambda: self.geocoder.rank(surface, **hints))

    def _ranked(self, surface: str, kind: str | None) -> tuple[list[Candidate], bool]:
        """(``_rank(surface, kind=kind)``, whether its namesakes lie far apart), once per name."""
        key = (name_key(surface), kind)
        found = self._ranked_cache.get(key)  # (asked for every name: no closure made on a hit)
        return found if found is not None else _memo(self._ranked_cache, key,
                                                     lambda: self._rank_and_far(surface, kind))

    def _rank_and_far(self, surface: str, kind: str | None) -> tuple[list[Candidate], bool]:
        cands = self._rank(surface, kind=kind)
        return cands, bool(cands) and self._far_namesakes(cands)

    def _loose_names(self, text: str, found: list[FoundName]) -> list[FoundName]:
        """Names the exact automaton missed: capitalised sequences that the geocoder's skeleton or
        fuzzy tier resolves to a Syrian place, and "the capital" for Damascus."""
        extra: list[FoundName] = []
        covered = [(f.start, f.end) for f in found]
        found_spans = SpanSet(covered)
        support = self._context_admin1(found)
        # (Each check below only drops names: the cheap ones come first.)
        for surface, start, end in self.finder.capitalised_names(text, covered):
            locative = _LOCATIVE_AFTER.match(text, end) is not None or _locative_before(text, start)
            if not (support or locative):
                continue  # nothing in the text supports a loose match: do not even look
            if not locative and _PLAIN_WORD.match(surface):
                continue  # "Renewed", "Aerial", "Seven": a capitalised word alone is not worth a fuzzy scan
            if not (locative or skeleton_key(surface) in self.gazetteer.by_skeleton):
                # The geocoder's fuzzy tier scans every name key; a capitalised word that shares no
                # skeleton with a gazetteer name is worth that scan only where the text puts a
                # place ("in X", "near X", "the village of X").
                continue
            if NOT_EVENT_BEFORE.search(text, max(0, start - 80), start) or SPOKEN_AFTER.match(text, end, end + 30):
                continue  # origin or comparison ("fired from X", "than in X"); where one spoke ("officials in X said")
            if self.finder.is_typo_of_prominent(name_key(surface)):
                continue  # "Syra" is Syria misspelt, not a village that a loose match finds
            cands = self._rank(surface)
            if cands and cands[0].place.country_code == "SY" and cands[0].score >= LOOSE_MIN_SCORE:
                # One site: the Syrian candidates that match as well as the best all lie together
                # (one village spelt two ways in two sources).
                rivals = [c for c in cands if c.place.country_code == "SY" and c.score >= cands[0].score - 0.05]
                one_site = not any(farther_than(cands[0].place.point, c.place.point, NAMESAKE_KM) for c in rivals)
                # Among spellings that match as well, the one in a governorate the text names is the
                # reading the text supports ("Sarmaniyah ... in northern Hama": Sirmaniyah of Hama,
                # not Surmaniyah of Quneitra), whichever the gazetteer's prominence ranked first.
                best = next((c for c in rivals if c.place.admin1 in support), cands[0])
                supported = best.place.admin1 in support or (locative and best.method == "skeleton" and one_site)
                if best.method != "exact" and not supported:
                    # A loose match needs the text's support: its governorate named around it, or a
                    # single Syrian skeleton match where the text puts a place ("in Saraqeb").
                    continue
                hint, countryside = self.finder._kind_from_context(text, start, end)
                extra.append(FoundName(name_key(best.matched_name), start, end, surface, hint, countryside))
        for pattern, place_name, kind, words in _PHRASE_PLACES:
            if lacks_words(text, words):
                continue
            place = next((p for p in self.gazetteer.exact(place_name) if p.kind == kind and p.country_code == "SY"), None)
            if place is None:
                continue  # a custom gazetteer without this place
            for match in pattern.finditer(text):
                if not found_spans.contains(match.start()) and not self.finder._spoken(text, match.start(), match.end()):
                    extra.append(FoundName(name_key(place.name), match.start(), match.end(), place.name, kind))
        return extra

    def _spread_countryside(self, text: str, found: list[FoundName]) -> list[FoundName]:
        """A list of governorates shares its "countryside": "the countryside of Aleppo, Hama and
        Idlib", "Hama and Idlib countryside", "Aleppo and Idlib provinces" name three (two)
        governorates, not two towns. Only names that are governorates' names take it."""
        out = list(found)
        is_area = [self._is_area(f.key) for f in out]
        # Only two governorates' names in a row are asked whether a list joins them.
        joined = [i > 0 and is_area[i - 1] and is_area[i]
                  and _LIST_JOIN.fullmatch(text, out[i - 1].end, out[i].start) is not None for i in range(len(out))]
        for i, f in enumerate(out):
            if is_area[i] and not f.countryside and _PLURAL_AREAS_AFTER.match(text, f.end):
                out[i] = replace(f, countryside=True)
        for i in range(1, len(out)):  # forward: "the countryside of A, B and C"
            if joined[i] and out[i - 1].countryside and is_area[i - 1] and is_area[i]:
                out[i] = replace(out[i], countryside=True)
        for i in range(len(out) - 2, -1, -1):  # backward: "A, B and C countryside"
            if joined[i + 1] and out[i + 1].countryside and is_area[i + 1] and is_area[i]:
                out[i] = replace(out[i], countryside=True)
        return out

    def _context_admin1(self, found: list[FoundName]) -> set[str]:
        """Governorates the text's exact names support: those named, and those of Syrian towns
        whose name is unambiguous or means one town on its own (Salamiyah, the town far larger
        than the villages that share its name)."""
        out: set[str] = set()
        for f in found:
            named = self._key_admin1.get(f.key)
            if named is None:
                places = [self.gazetteer.places[i] for i in self.gazetteer.by_key.get(f.key, ())]
                syrian = {p.admin1 for p in places if p.country_code == "SY" and p.admin1}
                if any(p.kind == "admin1" for p in places) or len(syrian) == 1:
                    named = syrian
                else:
                    chosen = self._dominant_of(f.key)
                    named = {chosen.place.admin1} if chosen is not None and chosen.place.country_code == "SY" \
                        and chosen.place.admin1 else set()
                self._key_admin1[f.key] = named
            out |= named
        return out

    def areas(self, key: str) -> list[Place]:
        """The governorates (provinces) that bear the key (asked once per key)."""
        areas = self._key_areas.get(key)
        if areas is None:
            if len(self._key_areas) > 50_000:
                self._key_areas.clear()
            areas = self._key_areas[key] = self.gazetteer.areas_by_key(key)
        return areas

    def _is_area(self, key: str) -> bool:
        return bool(self.areas(key))

    def resolve(self, found: list[FoundName], sents: list[Span]) -> list[Mention]:
        """Resolve names to places. A name whose Syrian namesakes lie far apart is decided by the
        context, strongest evidence first (see :meth:`_choose`); the others take their best match."""
        ranked = [self._ranked(surface, kind) for surface, kind in map(_query, found)]
        first = [cands for cands, _ in ranked]
        # Whether each name's namesakes lie far apart (the evidence and the choice use it).
        far = [is_far for _, is_far in ranked]
        sent_starts = [s.start for s in sents]
        sent_of = [index_of(sents, n.start, sent_starts) if sents else 0 for n in found]
        # Evidence: the governorates each sentence names (a governorate, or a town named like its
        # governorate), and the places with one reading (no far namesake).
        sent_admin1: dict[int, list[str]] = {}
        sure: list[tuple[int, Place]] = []  # (sentence index, place)
        for name, n_sent, cands, is_far in zip(found, sent_of, first, far):
            if not cands:
                continue
            area = next((c.place for c in cands if c.place.kind == "admin1"), None)
            if area is not None and area.admin1:
                named = sent_admin1.setdefault(n_sent, [])
                if area.admin1 not in named:
                    named.append(area.admin1)
            if not is_far and cands[0].place.country_code == "SY" \
                    and cands[0].place.kind in ("populated_place", "admin2"):
                sure.append((n_sent, cands[0].place))
            elif is_far and (dominant := self._dominant_place(name)) is not None:
                sure.append((n_sent, dominant))  # a name that means one town on its own (Salamiyah)
        # Governorates the article names as such ("Hama province", "Hama's countryside"): there a
        # bare "Hama" is the governorate too, unless the text says the city.
        as_area = {c.place.admin1 for n, cands in zip(found, first) if n.countryside or n.kind_hint == "admin1"
                   for c in cands if c.place.kind == "admin1"}
        # The governorates the whole article names, the most named first.
        article_admin1 = most_named(sent_admin1)
        directions = self._directions(found, first, far, sent_of, sents)
        sure_ids = {p.place_id for _, p in sure}
        mentions: list[Mention] = []
        for name, cands, n_sent, is_far in zip(found, first, sent_of, far):
            if not cands:
                continue
            best: Candidate | None = cands[0]
            if is_far and not self._dominant_reading(name):
                sent_points = [p.point for i, p in sure if i == n_sent]
                same = {c.place.place_id: c for c in cands if c.place.place_id in sure_ids}
                # A namesake the article also names unambiguously ("Kobani" and "Ain al-Arab") is the one.
                best = (next(iter(same.values())) if len(same) == 1 else None) or \
                    self._towards(name, cands, directions.get(n_sent, [])) or self._choose(
                    name, sent_admin1.get(n_sent, []), sent_points,
                    article_admin1, [p.point for _, p in sure])
                if best is None:
                    continue  # namesakes far apart and nothing in the text to choose: no guess
            place = best.place
            kind_hint = name.kind_hint
            area = next((c.place for c in cands if c.place.kind == "admin1"), None)
            if kind_hint in (None, "near") and area is not None and area.admin1 in as_area \
                    and place.kind == "populated_place":
                place, kind_hint = area, "admin1"
            if name.countryside:
                # "Idlib countryside": the governorate when the name is one, else near the town.
                if area is not None:
                    place, kind_hint = area, "countryside"
                else:
                    kind_hint = "near"
            # (text, start, end, place, kind_hint, cue, score: positional, a keyword call costs more)
            mentions.append(Mention(name.surface, name.start, name.end, place, kind_hint, "", best.score))
        return mentions

    @staticmethod
    def _directions(found: list[FoundName], first: list[list[Candidate]], far: list[bool], sent_of: list[int],
                    sents: list[Span]) -> dict[int, list[tuple[str, Place, int]]]:
        """Per sentence, (direction, anchor place, where the phrase begins) for "east of X", "the
        southern countryside of X", "X's northern countryside", X a place with one reading (a
        governorate's name: its town)."""
        out: dict[int, list[tuple[str, Place, int]]] = {}
        compass: dict[int, bool] = {}  # per sentence: whether it holds a compass word at all
        for name, cands, is_far, n_sent in zip(found, first, far, sent_of):
            if not cands or is_far or not sents:
                continue
            anchor = next((c.place for c in cands if c.place.kind == "populated_place"), cands[0].place)
            if anchor.country_code != "SY" or anchor.kind == "country":
                continue
            text, base = sents[n_sent].text, sents[n_sent].start
            start, end = name.start - base, name.end - base
            if n_sent not in compass:
                compass[n_sent] = not lacks_words(text, DIRECTION_WORDS)
            if not compass[n_sent]:
                continue  # every match of both patterns holds a compass word
            match = _direction_before(text, max(0, start - 60), start) \
                or _DIRECTION_AFTER.match(text, end)
            if match is not None:
                at = base + min(match.start(), start)  # where the phrase "... east of X" begins
                out.setdefault(n_sent, []).append((match.group("dir"), anchor, at))
        return out

    @staticmethod
    def _towards(name: FoundName, cands: list[Candidate],
                 directions: list[tuple[str, Place, int]]) -> Candidate | None:
        """The namesake that lies where the text points ("X in the eastern countryside of Y", "X,
        east of Y": the phrase follows X closely), when exactly one reading does; or, when readings
        on both sides of a border do, the one in Y's governorate ("the northern countryside of Homs"
        is Homs's, not the Hama village that also lies north of the city)."""
        top = cands[0].place
        pool = [c for c in cands if c.place.country_code == "SY" and c.place.kind == top.kind]
        for direction, anchor, at in directions:
            if not 0 <= at - name.end <= DIRECTION_REACH:
                continue
            fits = [c for c in pool if lies_towards(anchor.point, c.place.point, direction)]
            for group in (fits, [c for c in fits if c.place.admin1 == anchor.admin1]):
                if group and not any(farther_than(group[0].place.point, c.place.point, NAMESAKE_KM) for c in group[1:]):
                    return group[0]
        return None

    @staticmethod
    def _far_namesakes(cands: list[Candidate]) -> bool:
        """Whether the best candidate has a Syrian namesake of its kind too far away to be it (a
        best candidate abroad with a Syrian namesake too: a Golan hamlet that a gazetteer ranks first
        is no reason to drop the Syrian village the text is about)."""
        top = cands[0]
        if top.place.kind not in ("populated_place", "admin2"):
            return False
        if any(c.place.kind == "admin1" for c in cands):
            return False  # a governorate's name: the governorate or its seat, never a village namesake
        return any(c.place.country_code == "SY" and c.place.kind == top.place.kind
                   and farther_than(top.place.point, c.place.point, NAMESAKE_KM) for c in cands[1:])

    def _dominant_of(self, query: str) -> Candidate | None:
        """The namesake a name alone means, if one: a town far larger than the others, or an
        administrative seat among villages (the geocoder's rule)."""
        chosen = self._resolved(query, None).chosen
        return chosen if chosen is not None and chosen.method != "ambiguous" else None

    def _dominant_reading(self, name: FoundName) -> bool:
        return self._dominant_of(_query(name)[0]) is not None

    def _dominant_place(self, name: FoundName) -> Place | None:
        """The Syrian town or district a name with namesakes means on its own, if it means one."""
        chosen = self._dominant_of(_query(name)[0])
        if chosen is None or chosen.place.country_code != "SY" or chosen.place.kind not in ("populated_place", "admin2"):
            return None
        return chosen.place

    def _choose(self, name: FoundName, sent_admin1: list[str], sent_points: list[tuple[float, float]],
                article_admin1: list[str], article_points: list[tuple[float, float]]) -> Candidate | None:
        """Namesakes far apart: the evidence in this order decides (the first that picks one wins):
        a governorate named in the sentence; the sentence's other places (the reading that lies
        with them); the article's governorates, most named first; the article's places; else the
        geocoder's own rule (a dominant town, the shared governorate at precision 3, or nothing)."""
        surface, kind = _query(name)
        hints: list[dict] = [{"admin1": a} for a in sent_admin1]
        if sent_points:
            hints.append({"near": _centre(sent_points)})
        hints += [{"admin1": a} for a in article_admin1]
        if article_points:
            hints.append({"near": _centre(article_points)})
        for hint in hints:
            chosen = self._resolved(surface, kind, **hint).chosen
            if chosen is None or chosen.method == "ambiguous":
                continue
            if "near" in hint and farther_than(hint["near"], chosen.place.point, NEAR_SUPPORT_KM):
                continue  # the geocoder's own pick, not one the places around support
            return chosen
        return self._resolved(surface, kind).chosen

    def _resolved(self, surface: str, kind: str | None, **hints) -> Resolution:
        key = (name_key(surface), kind, tuple(sorted(hints.items())))
        return _memo(self._resolve_cache, key, lambda: self.geocoder.resolve(surface, kind=kind, **hints))


def areas_before(mentions: list[Mention]) -> Callable[[int], str | None]:
    """position -> the governorate of the last Syrian place named before it (the area the text is
    about there), else the article's most named one."""
    syrian = [m for m in mentions if m.place and m.place.country_code == "SY" and m.place.admin1
              and m.place.kind != "country"]
    starts = [m.start for m in syrian]
    main = Counter(m.place.admin1 for m in syrian).most_common(1)[0][0] if syrian else None

    def area_before(pos: int) -> str | None:
        i = bisect_left(starts, pos)
        return syrian[i - 1].place.admin1 if i else main
    return area_before


def no_area(pos: int) -> None:
    return None
