"""A geopy-style geocoder over the local gazetteer: no network, transliteration-tolerant.

``LocalGeocoder().geocode("Tabqa")`` returns a :class:`geopy.location.Location` whose ``raw``
carries the place id, feature kind, admin-1 name and ISO 3166-2 code, country, population,
matched name, match method, score and ACLED geo_precision. With ``exactly_one=False`` it returns
ranked candidates. It can sit in a chain with geopy's online geocoders.

Matching runs in three tiers, stopping at the first that finds something:

1. the normalised name key (case, diacritics, articles, doubled letters... folded);
2. the consonant skeleton, accepted only when the name keys are also similar
   (``SKELETON_MIN_RATIO``), so that "Hamas" never becomes "Homs";
3. fuzzy matching (rapidfuzz) over all name keys with a high cut-off (``FUZZY_MIN_RATIO``),
   for near misses such as a dropped or swapped letter.

Ranking: match score, then the hints (a governorate, a country, a nearby point), then the
feature kind the text asks for (a governorate for "the province of X"), then population.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from geopy.location import Location
from rapidfuzz import fuzz, process

from geo.errors import GeocodeError
from geo.gazetteer.gazetteer import Gazetteer, default_gazetteer, haversine_km
from geo.gazetteer.names import name_key, skeleton_key
from geo.models import PLACE_KINDS, Place

log = logging.getLogger(__name__)

SKELETON_MIN_RATIO = 80.0
MAX_LENGTH_GAP = 3
FUZZY_MIN_RATIO = 88.0
FUZZY_MIN_LENGTH = 7
COUNTRY_NAMES = {"SY": "Syria", "TR": "Turkey", "IQ": "Iraq", "LB": "Lebanon", "JO": "Jordan",
                 "IL": "Israel", "PS": "Palestine"}
# Names of groups, regions-as-ideas and words that a loose match would turn into a town
# ("Levant" -> Levent, Istanbul; "Hamas" -> Homs). Checked on the normalised key.
NOT_PLACES = frozenset(name_key(n) for n in (
    "Levant", "Hamas", "Daesh", "Daish", "ISIL", "ISIS", "Sham", "Hezbollah", "Hizbollah", "Nusra",
    "Kurdistan", "Rojava", "Sunni", "Shia", "Shiite", "Alawite", "Arab", "Kurd", "Kurdish", "Syrian",
    "Iraqi", "Turkish", "Russian", "Iranian", "Islamic", "Ahrar", "Jabhat",
))
KIND_PRECISION = {"populated_place": 1, "admin2": 2, "admin1": 3, "country": 3}
# Words that say which kind of feature a query means.
_KIND_WORDS = re.compile(
    r"^(?:the\s+)?(?:(?P<a1>province|governorate|muhafazat)\s+of\s+|(?P<pp>city|town|village)\s+of\s+)|"
    r"\s+(?:(?P<a1s>province|governorate|region)|(?P<pps>city|town|village))$",
    re.IGNORECASE,
)


def geo_precision_of(place: Place) -> int:
    """ACLED geo_precision for a place of this kind: 1 town, 2 district/area, 3 region or larger."""
    return KIND_PRECISION.get(place.kind, 3)


@dataclass(frozen=True, slots=True)
class Candidate:
    place: Place
    matched_name: str
    method: str  # "exact" | "skeleton" | "fuzzy"
    score: float  # 0..1, how well the name matched
    rank_score: float  # score after hints, used for ordering


def split_kind_words(query: str) -> tuple[str, str | None]:
    """("the province of Aleppo") -> ("Aleppo", "admin1"); ("Manbij city") -> ("Manbij", "populated_place")."""
    kind: str | None = None
    match = _KIND_WORDS.search(query)
    while match:
        if match.group("a1") or match.group("a1s"):
            kind = "admin1"
        elif match.group("pp") or match.group("pps"):
            kind = "populated_place"
        query = (query[: match.start()] + " " + query[match.end():]).strip()
        match = _KIND_WORDS.search(query)
    return query, kind


class LocalGeocoder:
    """Geocoder over a :class:`Gazetteer` (the default one when none is given)."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or default_gazetteer()

    # -- candidate generation ---------------------------------------------------------------
    def candidates(self, name: str) -> list[tuple[int, str, str, float]]:
        """(place index, matched key, method, score) for a name, from the first tier that matches."""
        gaz = self.gazetteer
        key = name_key(name)
        if not key:
            return []
        if key in NOT_PLACES:
            return []
        exact = gaz.by_key.get(key)
        if exact:
            return [(i, key, "exact", 1.0) for i in exact]
        found: list[tuple[int, str, str, float]] = []
        skel = skeleton_key(name)
        if skel and len(skel.replace(" ", "")) >= 2:
            seen: set[int] = set()
            for idx in gaz.by_skeleton.get(skel, ()):
                place = gaz.places[idx]
                best = max(
                    (fuzz.ratio(key, name_key(n)), n) for n in gaz.names_of(place) if skeleton_key(n) == skel
                )
                cand_key = name_key(best[1])
                if (
                    best[0] >= SKELETON_MIN_RATIO
                    and cand_key[:1] == key[:1]
                    and abs(len(cand_key) - len(key)) <= MAX_LENGTH_GAP
                    and idx not in seen
                ):
                    seen.add(idx)
                    found.append((idx, name_key(best[1]), "skeleton", 0.9 * best[0] / 100.0))
        if found:
            return found
        if len(key) >= FUZZY_MIN_LENGTH:
            for match_key, ratio, _ in process.extract(
                key, gaz.keys, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_RATIO, limit=5
            ):
                # A near miss must agree on the first letter: transliterations vary vowels and
                # endings, rarely the initial consonant, and this keeps neighbouring towns out.
                if match_key[0] != key[0] or abs(len(match_key) - len(key)) > 2:
                    continue
                for idx in gaz.by_key[match_key]:
                    found.append((idx, match_key, "fuzzy", 0.85 * ratio / 100.0))
        return found

    def rank(
        self,
        name: str,
        *,
        kind: str | None = None,
        admin1: str | None = None,
        country: str | None = None,
        near: tuple[float, float] | None = None,
    ) -> list[Candidate]:
        if kind is not None and kind not in PLACE_KINDS:
            raise GeocodeError(f"unknown feature kind {kind!r}; expected one of {PLACE_KINDS}")
        gaz = self.gazetteer
        ranked: list[Candidate] = []
        for idx, matched_key, method, score in self.candidates(name):
            place = gaz.places[idx]
            bonus = 0.0
            if admin1 and (place.admin1 == admin1 or place.admin1_code == admin1):
                bonus += 0.3
            if country and place.country_code == country.upper():
                bonus += 0.2
            if near is not None:
                km = haversine_km(near, place.point)
                bonus += 0.3 * max(0.0, 1.0 - km / 150.0)
            if kind is not None:
                bonus += 0.25 if place.kind == kind else 0.0
            elif place.kind == "populated_place":
                bonus += 0.02  # the town over the governorate of the same name, unless asked
            if place.country_code == "SY":
                bonus += 0.01
            bonus += 0.01 * math.log10(place.population + 1) / 8.0
            surface = gaz.surface_names.get(matched_key, place.name)
            ranked.append(Candidate(place, surface, method, score, score + bonus))
        ranked.sort(key=lambda c: (-c.rank_score, c.place.place_id))
        return ranked

    # -- geopy contract ------------------------------------------------------------------------
    def geocode(
        self,
        query: str,
        *,
        exactly_one: bool = True,
        kind: str | None = None,
        admin1: str | None = None,
        country: str | None = None,
        near: tuple[float, float] | None = None,
        limit: int | None = None,
    ) -> Location | list[Location] | None:
        """Geocode a place name. Unknown names give None (or []), never a guess."""
        if not isinstance(query, str) or not query.strip():
            raise GeocodeError("empty query")
        name, kind_from_text = split_kind_words(query.strip())
        ranked: list[Candidate] = []
        if name != query.strip():
            # "Revolution City" is a name; "Aleppo city" is the city of Aleppo. Try the whole first.
            ranked = self.rank(query.strip(), kind=kind, admin1=admin1, country=country, near=near)
            ranked = [c for c in ranked if c.method == "exact"]
        if not ranked:
            ranked = self.rank(name, kind=kind or kind_from_text, admin1=admin1, country=country, near=near)
        if not ranked:
            return None if exactly_one else []
        if exactly_one:
            return to_location(ranked[0])
        return [to_location(c) for c in ranked[: limit or len(ranked)]]

    def reverse_admin1(self, latitude: float, longitude: float) -> tuple[str, str, str] | None:
        """(admin1 name, ISO 3166-2 code, country code) of a point, by point-in-polygon."""
        unit = self.gazetteer.admin1_of(latitude, longitude)
        return (unit.name, unit.code, unit.country_code) if unit else None


def to_location(candidate: Candidate) -> Location:
    place = candidate.place
    country = COUNTRY_NAMES.get(place.country_code, place.country_code)
    parts = [place.name]
    if place.kind != "admin1" and place.admin1:
        parts.append(place.admin1)
    if place.kind != "country":
        parts.append(country)
    raw = {
        "place_id": place.place_id,
        "name": place.name,
        "kind": place.kind,
        "admin1": place.admin1,
        "admin1_code": place.admin1_code,
        "admin2": place.admin2,
        "country": country,
        "country_code": place.country_code,
        "population": place.population,
        "matched_name": candidate.matched_name,
        "match": candidate.method,
        "score": round(candidate.score, 4),
        "geo_precision": geo_precision_of(place),
        "source": place.source,
    }
    return Location(", ".join(parts), (place.latitude, place.longitude), raw)


def location_record(name: str, location: Location | None) -> dict:
    """The batch contract of ``python -m geo geocode -``: one flat JSON object per name."""
    if location is None:
        return {"name": name, "latitude": None, "longitude": None, "admin1": None, "admin1_code": None,
                "admin2": None, "country": None, "kind": None, "geo_precision": None, "score": 0.0, "place_id": None,
                "matched_name": None, "address": None}
    raw = location.raw
    return {"name": name, "latitude": location.latitude, "longitude": location.longitude,
            "admin1": raw["admin1"], "admin1_code": raw["admin1_code"], "admin2": raw.get("admin2"),
            "country": raw["country"],
            "kind": raw["kind"], "geo_precision": raw["geo_precision"], "score": raw["score"],
            "place_id": raw["place_id"], "matched_name": raw["matched_name"], "address": location.address}


def geocode_many(geocoder: LocalGeocoder, names: Sequence[str]) -> list[dict]:
    return [location_record(n, geocoder.geocode(n) if n.strip() else None) for n in names]
