"""Towns named as reference points, not as the place of the event:

- "near X", "the outskirts of X", "the border of X" (by the town, ACLED's geo_precision 2), and
  the rest of a list that such a cue opens ("near X and Y");
- roads that towns name ("the Aleppo-Damascus highway", "the road between Palmyra and Homs", "the
  Deir ez-Zor road"): an event on a road lies on the road, by the first town named, not in each;
- a city's quarters ("the X and Y neighbourhoods of Aleppo") and a town's sub-places that the
  gazetteer lacks ("the X camp near Y"): the event is in the city or by the town, the quarter or
  sub-place kept as its detail;
- a town used as the address of another place ("the Idlib town of Saraqib": Saraqib; "the Aleppo
  district of X": in Aleppo).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from geo.extract.lexicon import ARABIC_ARTICLE_WORD, DIRECTION
from geo.extract.text import Span
from geo.gazetteer import farther_than
from geo.models import Mention

NEAR_CUES = ("near ", "outside ", "outskirts of ", "vicinity of ", "around ", "north of ", "south of ",
             "east of ", "west of ", "northeast of ", "northwest of ", "southeast of ", "southwest of ",
             "countryside of ", "suburbs of ", "outskirts of the town of ", "near the town of ",
             "near the village of ", "near the towns of ", "near the villages of ", "border of ", "borders of ",
             "border with ", "edge of ", "edges of ")
# Every near cue (and _NEAR_DESCRIBED match) holds one of these: a sentence with none has no near town.
NEAR_WORDS = ("near", "outside", "around", "outskirts", "vicinity", "north", "south", "east", "west", "countryside",
              "suburbs", "border", "edge")
# The join of a list of towns ("near Raqqa and Deir ez-Zor", "near X, Y or Z")
_LIST_JOIN = re.compile(r",?\s+(?:and|or)\s+|,\s*")

ROAD_WORDS = ("road", "highway", "motorway", "route")  # (a sentence with none names no road)
_ROAD_WORD = "(?:" + "|".join(ROAD_WORDS) + ")"
# "the neighbourhoods of X and Y", "X and Y neighbourhoods": quarters of a city named after them.
_QUARTER_BEFORE = re.compile(r"\bneighbou?rhoods?\s+(?:of\s+|in\s+)?(?:the\s+)?(?:[\w'’-]+(?:\s+[\w'’-]+)?\s*(?:,|and)\s+)*$",
                             re.IGNORECASE)
_QUARTER_AFTER = re.compile(r"(?:\s*(?:,|and)\s+[\w'’-]+(?:\s+[\w'’-]+)?)*\s+neighbou?rhoods?\b", re.IGNORECASE)
QUARTER_WORDS = ("neighbourhood", "neighborhood")  # one of them is in every _QUARTER_* match
# A town this large has neighbourhoods that villages elsewhere are named like.
CITY_POPULATION = 100_000
_SUB_PLACES = (r"neighbo(?:u)?rhoods?|district|quarter|camp|hills?|mountains?|mount|airbase|air base|airport|"
               r"military airport|base|dam|crossing|checkpoint|road|highway|square|roundabout|prison|"
               r"suburb|factory|bridge|plain")
_SUB_PLACE_AFTER = re.compile(r"(?:'s|’s)?\s+(" + _SUB_PLACES + r")\b", re.IGNORECASE)
_SUB_PLACE_BEFORE = re.compile(r"\b(?:" + _SUB_PLACES + r")\s+(?:of\s+)?$", re.IGNORECASE)
REGION_KM = 30  # a town this near a region's point can be "X in <region>"
# Between a town and its governorate (or region) written as its address: "Tafas in Daraa", "Saraqib, Idlib",
# "the X front in northern Hama", "X, in southern Idlib" (the part of the governorate the town is in).
ADDRESS_JOIN = re.compile(
    r"(?:\s+(?:village|town|city|area|front(?:lines?)?|axis))?(?:\s*,\s*(?:in\s+)?|\s+in\s+)(?:the\s+)?"
    r"(?:" + DIRECTION + r"\s+)?", re.IGNORECASE)
# A governorate's name used as an adjective of the event: "9 killed in Idlib shelling", "Aleppo
# airstrikes kill 12" (the governorate, not its seat: nothing says the city).
ATTRIBUTIVE_AFTER = re.compile(r"\s+(?:shelling|air\s?strikes?|air\s+raids?|clashes|bombings?|bombardment|fighting|"
                               r"offensive|violence|raids?|battles?)\b", re.IGNORECASE)
_ROAD_AFTER = re.compile(r"\s+(?:(?:international|main|old|new|strategic)\s+)?" + _ROAD_WORD + r"\b", re.IGNORECASE)
_PAIR_JOIN = re.compile(r"\s*[-–/]\s*")
_BETWEEN_BEFORE = re.compile(r"\b" + _ROAD_WORD + r"s?\s+(?:between|linking|connecting|joining|from)\s+"
                             r"(?:the\s+(?:towns?|cities|villages?)\s+of\s+)?$", re.IGNORECASE)
_BETWEEN_JOIN = re.compile(r"\s+(?:and|to|with)\s+(?:the\s+(?:towns?|city|villages?)\s+of\s+)?", re.IGNORECASE)
_TO_BEFORE = re.compile(r"\b" + _ROAD_WORD + r"\s+(?:to|into|towards?)\s+$", re.IGNORECASE)


# "the Idlib town of Saraqib", "the Aleppo district of Sheikh Maqsoud": a town's name used as the
# address of the place named after it.
# (the noun names the Address kind: a part of the town, a suburb, or a place of its governorate)
_ADDRESS_NOUN = r"(?:(?P<part>district|neighbou?rhood|quarter)|(?P<suburb>suburb)|(?P<place>town|village))"
_ADDRESS_AFTER = re.compile(
    r"\s+(?:(?:northern|southern|eastern|western|countryside|rural)\s+)?" + _ADDRESS_NOUN + r"\s+of\s+(?:the\s+)?",
    re.IGNORECASE)
ADDRESS_WORDS = ("district", "neighbourhood", "neighborhood", "quarter", "suburb", "town", "village", "'s ", "’s ")
_ARTICLE = "(?:" + ARABIC_ARTICLE_WORD + r"[-\s])"
_NAME_AFTER = re.compile(_ARTICLE + r"?[A-Z][\w'’-]*(?:\s+(?:" + _ARTICLE + r"|bin\s|abu\s|Abu\s)?[A-Z][\w'’-]*){0,3}")


@dataclass(frozen=True, slots=True)
class Address:
    """A town named as the address of the place after it: ``kind`` "part" (one of its districts:
    the event is in the town), "suburb" (by the town) or "place" (a town or village of its
    governorate); ``name_start`` where that place's name starts; ``detail`` ("Sheikh Maqsoud
    district")."""

    kind: str
    name_start: int
    detail: str


_POSSESSIVE = re.compile(r"['’]s\s+")
_NOUN_AFTER = re.compile(r"\s+" + _ADDRESS_NOUN + r"\b", re.IGNORECASE)


def address_after(text: str, end: int) -> Address | None:
    """The Address that follows a town's name ending at ``end`` ("Idlib| town of Saraqib",
    "Deir Ezzor|'s al-Mayadin", "Aleppo|'s Sakhour district")."""
    possessive = _POSSESSIVE.match(text, end)
    if possessive is not None:
        name = _NAME_AFTER.match(text, possessive.end())
        noun = _NOUN_AFTER.match(text, name.end()) if name else None
        if name is None:
            return None
        kind = noun.lastgroup if noun else "place"
        return Address(kind, name.start(), name.group(0) + (f" {noun.group(kind).lower()}" if noun else ""))
    cue = _ADDRESS_AFTER.match(text, end)
    name = _NAME_AFTER.match(text, cue.end()) if cue else None
    if name is None:
        return None
    kind = cue.lastgroup or "place"
    return Address(kind, name.start(), f"{name.group(0)} {cue.group(kind).lower()}")


# "near the border town of X", "outside the northern city of X"
_NEAR_DESCRIBED = re.compile(r"\b(?:near|outside|around)\s+the\s+(?:[\w-]+\s+){0,2}(?:towns?|villages?|city|cities)\s+of\s+$",
                             re.IGNORECASE)


def near_cue(before: str) -> bool:
    """Whether the text just before a town's name makes it a reference point ("near X")."""
    low = before.lower()
    return low.endswith(NEAR_CUES) or (low.endswith("of ") and _NEAR_DESCRIBED.search(before) is not None)


# "X, southwest of Y", "X (10 km east of Y)": Y only says where X is.
_DIRECTION_OF_JOIN = re.compile(
    r"(?:\s*,\s*|\s*\(\s*|\s+)(?:(?:about|some|around|just)\s+)?(?:\d+(?:\.\d+)?\s*(?:km|kilometers|kilometres|miles)\s+)?"
    r"(?:(?:north|south|east|west)(?:-?(?:east|west))?|northeast|northwest|southeast|southwest)\s+of\s+"
    r"(?:the\s+(?:city|town|village)\s+of\s+)?", re.IGNORECASE)


def references(text: str, spans: Sequence[tuple[int, int]]) -> set[int]:
    """The places (indices into ``spans``, in text order) that only say where the place named just
    before them is: "Jinderes, southwest of Afrin city" (Afrin)."""
    return {i for i in range(1, len(spans)) if _DIRECTION_OF_JOIN.fullmatch(text, spans[i - 1][1], spans[i][0])}


def near_towns(text: str, spans: Sequence[tuple[int, int]]) -> set[int]:
    """The towns (indices into ``spans``, their (start, end) in ``text`` in text order) named as
    reference points: after a near cue, and the rest of a list that one opens ("strikes near
    Raqqa and Deir ez-Zor": near both)."""
    near: set[int] = set()
    for i, (start, _) in enumerate(spans):
        if near_cue(text[max(0, start - 40):start]) or (
                i - 1 in near and _LIST_JOIN.fullmatch(text, spans[i - 1][1], start)):
            near.add(i)
    return near


@dataclass(frozen=True, slots=True)
class Road:
    """A road named by towns: ``detail`` is its phrase; ``first`` whether this town is the one the
    event is placed by (the others of the phrase give no place of their own)."""

    detail: str
    first: bool


def roads(text: str, spans: Sequence[tuple[int, int]]) -> dict[int, Road]:
    """The roads that towns name in one sentence: {index into ``spans``: Road}. ``spans`` are the
    towns' (start, end) in ``text``, in text order."""
    found: dict[int, Road] = {}
    for i, (start, end) in enumerate(spans):
        if i in found:
            continue
        if i + 1 < len(spans):
            next_start, next_end = spans[i + 1]
            pair = None
            if _PAIR_JOIN.fullmatch(text, end, next_start) and (road := _ROAD_AFTER.match(text, next_end)):
                pair = (start, road.end())  # "the Aleppo-Damascus highway"
            elif (lead := _BETWEEN_BEFORE.search(text, max(0, start - 60), start)) \
                    and _BETWEEN_JOIN.fullmatch(text, end, next_start):
                pair = (lead.start(), next_end)  # "the road between Palmyra and Homs"
            if pair is not None:
                phrase = _phrase(text, *pair)
                found[i], found[i + 1] = Road(phrase, True), Road(phrase, False)
                continue
        if road := _ROAD_AFTER.match(text, end):
            found[i] = Road(_phrase(text, start, road.end()), True)  # "the Deir ez-Zor road"
        elif lead := _TO_BEFORE.search(text, max(0, start - 30), start):
            found[i] = Road(_phrase(text, lead.start(), end), True)  # "the road to Raqqa"
    return found


def _phrase(text: str, start: int, end: int) -> str:
    return " ".join(text[start:end].split())


def city_of_quarter(sent: Span, m: Mention, towns: list[Mention]) -> Mention | None:
    """The city a name is a neighbourhood of: "neighbourhoods of X and Y in Aleppo", "X
    neighbourhood of Aleppo" (the city named within 80 characters after, else the one named
    just before: "west of Aleppo, shells hit the X and Y neighbourhoods")."""
    rel_start, rel_end = m.start - sent.start, m.end - sent.start
    if not (_QUARTER_BEFORE.search(sent.text[max(0, rel_start - 60):rel_start])
            or _QUARTER_AFTER.match(sent.text, rel_end)):
        return None
    cities = [t for t in towns if t is not m and t.place.kind == "populated_place"
              and t.place.population >= CITY_POPULATION]
    after = [t for t in cities if 0 < t.start - m.end <= 80]
    before = [t for t in cities if 0 < m.start - t.end <= 120]
    return after[0] if after else (before[-1] if before else None)


def town_of_sub_place(sent: Span, u: Mention, towns: list[Mention]) -> tuple[str, Mention] | None:
    """(kind word, town) when an unresolved name is a sub-place named with its town."""
    rel = sent.text
    u_start, u_end = u.start - sent.start, u.end - sent.start
    after = _SUB_PLACE_AFTER.match(rel, u_end)
    before = _SUB_PLACE_BEFORE.search(rel[max(0, u_start - 30):u_start])
    if not after and not before:
        return None
    kind_word = after.group(1) if after else ""
    following = [t for t in towns if 0 <= t.start - u.end <= 80]
    preceding = [t for t in towns if 0 <= u.start - t.end <= 60]
    town = following[0] if following else (preceding[-1] if preceding else None)
    return (kind_word, town) if town is not None else None


def region_is_address(sent: Span, m: Mention, towns: list[Mention]) -> bool:
    """Whether ``m`` is a region (a district, plain or mountain) written right after a town in it
    (within REGION_KM) as its address: "Kafr Batna in Eastern Ghouta", "X, Jabal al-Akrad"."""
    if m.place.kind != "admin2":
        return False
    return any(t.end <= m.start and t.place.admin1_code == m.place.admin1_code
               and not farther_than(t.place.point, m.place.point, REGION_KM)
               and ADDRESS_JOIN.fullmatch(sent.text, t.end - sent.start, m.start - sent.start) for t in towns)
