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

Deciding (``geocode(exactly_one=True)``; ``exactly_one=False`` returns the ranked candidates):

- ``country`` restricts to those countries (like ``country_codes`` in geopy's Nominatim); a
  governorate hint restricts to places in that governorate (or within ``BORDER_KM`` of it).
- Focus country (``focus``, ``$GEO_FOCUS``, default SY): a name that exists there never resolves
  abroad unless a hint says so; a foreign place resolves without a hint only when it is notable: a
  country, a first-level unit or a town of at least ``NOTABLE_POPULATION`` people.
- No guessing: a skeleton or fuzzy match is the answer only when it is the single candidate left
  and a governorate or point hint supports it; else it stays a candidate.
- Namesakes more than ``NAMESAKE_KM`` apart with nothing to choose between them (no hint, no
  ``DOMINANCE``-times larger town, no administrative seat among villages) give no single answer: their shared governorate at precision 3
  when they share one (``raw["match"] == "ambiguous"``, the places in ``raw["candidates"]``), else None.
"""

from __future__ import annotations

import logging
import math
import os
import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from geopy.location import Location
from rapidfuzz import fuzz, process
from shapely.geometry import Point
from shapely.ops import nearest_points

from geo.errors import GeocodeError
from geo.gazetteer.gazetteer import (
    Admin1Unit,
    Gazetteer,
    default_gazetteer,
    haversine_km,
)
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
    "Jihadi", "Jihadis", "Jihadist", "Jihadists", "Mujahideen", "Takfiri", "Takfiris",
))
KIND_PRECISION = {"populated_place": 1, "admin2": 2, "admin1": 3, "country": 3}
DEFAULT_FOCUS = "SY"
# Where a foreign place is notable enough to answer a bare name (see README, "Gazetteer"): with the
# shipped gazetteer every exact foreign answer to a real Syrian name below this size was a wrong
# namesake (44,751 and 22,512 people the largest), while the border towns reports name abroad
# (Reyhanli, Arsal, Mafraq, Al Qaim, Nusaybin; 50,000-90,000) are above it.
NOTABLE_POPULATION = 50_000
# Namesakes further apart than this are different places (UCDP's "within 25 km" precision).
NAMESAKE_KM = 25.0
# A town this many times larger than each far namesake (and of at least DOMINANT_MIN_POPULATION)
# is the one a bare name means: "Douma" is the city of 100,000, not the hamlet of the same name.
DOMINANCE = 10
DOMINANT_MIN_POPULATION = 10_000
# A place this close to the hinted governorate's polygon counts as in it (polygons are simplified,
# and data sets draw governorate borders differently).
BORDER_KM = 10.0
# Ranking weight of an administrative seat (x rank/3), below every hint (0.2-0.3).
SEAT_BONUS = 0.04
# A point hint supports the candidates within this distance.
NEAR_SUPPORT_KM = 50.0
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


@dataclass(slots=True)
class Resolution:
    """What :meth:`LocalGeocoder.resolve` decided: the answer (or None), the candidates it weighed,
    and why (``"exact"``, ``"skeleton"``, ``"fuzzy"``, ``"ambiguous"``, or why there is no answer)."""

    location: Location | None
    candidates: list[Candidate] = field(default_factory=list)
    reason: str = ""
    chosen: Candidate | None = None  # the candidate behind ``location`` (a governorate when ambiguous)


# A degree of latitude is at least this long (geopy's great circle: 111.2 km): two points whose
# latitudes differ by more than ``km / KM_PER_DEGREE_LAT_MIN`` degrees are more than ``km`` apart.
KM_PER_DEGREE_LAT_MIN = 110.5
# Within this distance of a hint's point a candidate gains rank (nothing beyond it).
NEAR_RANK_KM = 150.0


def farther_than(a: tuple[float, float], b: tuple[float, float], km: float) -> bool:
    """Whether two (lat, lon) points are more than ``km`` apart: decided from the degrees when that
    is certain (a degree of latitude is at least 110.5 km, of longitude at most 111.4 km), else by
    the great circle. Namesakes are mostly hundreds of km apart: this spares most distance calls."""
    dlat, dlon = abs(a[0] - b[0]), abs(a[1] - b[1])
    if dlat * KM_PER_DEGREE_LAT_MIN > km:
        return True
    if math.hypot(dlat * 111.0, dlon * 111.4) < km * 0.98:  # an upper bound, with room for rounding
        return False
    return haversine_km(a, b) > km


def is_notable(place: Place) -> bool:
    """A place a bare name may mean even abroad: a country, a first-level unit or a large town."""
    return place.kind in ("country", "admin1") or place.population >= NOTABLE_POPULATION


def country_codes(country: str | Iterable[str] | None) -> frozenset[str]:
    """"SY", "sy,tr" or ["SY", "TR"] -> {"SY", "TR"} (empty: no restriction)."""
    if country is None:
        return frozenset()
    parts = country.split(",") if isinstance(country, str) else list(country)
    return frozenset(p.strip().upper() for p in parts if p and p.strip())


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

    def __init__(self, gazetteer: Gazetteer | None = None, *, focus: str | None = None) -> None:
        self.gazetteer = gazetteer or default_gazetteer()
        self.focus = (focus or os.environ.get("GEO_FOCUS") or DEFAULT_FOCUS).strip().upper()
        self._districts: dict[str, frozenset[str]] | None = None
        self._initials: dict[str, tuple[list[str], list[int], list[int]]] | None = None
        self._candidates: dict[str, list[tuple[int, str, str, float]]] = {}  # by name key
        self._unit_latitudes: dict[str, tuple[float, float]] = {}  # by admin1 code (bounded by the units)
        self._prominence: dict[int, float] = {}  # by place index (bounded by the gazetteer)

    def clear_caches(self) -> None:
        """Forget the candidates found per name key and the places' prominence (a benchmark times
        finding them)."""
        self._candidates.clear()
        self._prominence.clear()

    # -- candidate generation ---------------------------------------------------------------
    def candidates(self, name: str) -> list[tuple[int, str, str, float]]:
        """(place index, matched key, method, score) for a name, from the first tier that matches.
        Found once per name key (they depend on nothing else): a loose spelling's tiers compare
        many names, and one name is ranked with several hints."""
        key = name_key(name)
        found = self._candidates.get(key)
        if found is None:
            if len(self._candidates) > 50_000:
                self._candidates.clear()
            found = self._candidates[key] = self._find_candidates(name, key)
        return list(found)

    def _find_candidates(self, name: str, key: str) -> list[tuple[int, str, str, float]]:
        gaz = self.gazetteer
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
            # A near miss must agree on the first letter: transliterations vary vowels and endings,
            # rarely the initial consonant, and this keeps neighbouring towns out. Searching only the
            # keys with that initial is also what keeps unknown names fast with 50,000 keys.
            for match_key, ratio in self._fuzzy_matches(key):
                if abs(len(match_key) - len(key)) > 2:
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
        country: str | Iterable[str] | None = None,
        near: tuple[float, float] | None = None,
    ) -> list[Candidate]:
        """Candidates for a name, best first. ``country`` (codes) restricts; the other hints rank."""
        if kind is not None and kind not in PLACE_KINDS:
            raise GeocodeError(f"unknown feature kind {kind!r}; expected one of {PLACE_KINDS}")
        gaz = self.gazetteer
        countries = country_codes(country)
        ranked: list[Candidate] = []
        for idx, matched_key, method, score in self.candidates(name):
            place = gaz.places[idx]
            if countries and place.country_code not in countries:
                continue
            bonus = 0.0
            if admin1 and (place.admin1 == admin1 or place.admin1_code == admin1):
                bonus += 0.3
            if near is not None and abs(near[0] - place.latitude) * KM_PER_DEGREE_LAT_MIN <= NEAR_RANK_KM:
                # (Farther than NEAR_RANK_KM by latitude alone, a candidate gains nothing: no distance.)
                km = haversine_km(near, place.point)
                bonus += 0.3 * max(0.0, 1.0 - km / NEAR_RANK_KM)
            if kind is not None:
                bonus += 0.25 if place.kind == kind else 0.0
            elif place.kind == "populated_place":
                bonus += 0.02  # the town over the governorate of the same name, unless asked
            if place.country_code == self.focus:
                bonus += 0.01
            # Prominence, below any hint: a district seat and a larger town over a hamlet of the name.
            prominence = self._prominence.get(idx)
            if prominence is None:  # (a fact of the place: once per place, not per name and hint)
                prominence = self._prominence[idx] = (0.01 * math.log10(place.population + 1) / 8.0
                                                      + SEAT_BONUS * self.seat_rank(place) / 3)
            bonus += prominence
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
        country: str | Iterable[str] | None = None,
        near: tuple[float, float] | None = None,
        limit: int | None = None,
        focus: str | None = None,
    ) -> Location | list[Location] | None:
        """Geocode a place name. Unknown or ambiguous names give None (or []), never a guess; see
        the module docstring. ``exactly_one=False`` lists the ranked candidates (focus country first)."""
        if not exactly_one:
            ranked = self.resolve(query, kind=kind, admin1=admin1, country=country, near=near,
                                  focus=focus).candidates
            return [to_location(c) for c in ranked[: limit or len(ranked)]]
        return self.resolve(query, kind=kind, admin1=admin1, country=country, near=near, focus=focus).location

    def resolve(
        self,
        query: str,
        *,
        kind: str | None = None,
        admin1: str | None = None,
        country: str | Iterable[str] | None = None,
        near: tuple[float, float] | None = None,
        focus: str | None = None,
    ) -> Resolution:
        """The decision behind :meth:`geocode`, with the candidates weighed and the reason."""
        if not isinstance(query, str) or not query.strip():
            raise GeocodeError("empty query")
        query = query.strip()
        focus_cc = (focus or self.focus).upper()
        name, kind_from_text = split_kind_words(query)
        ranked: list[Candidate] = []
        if name != query:
            # "Revolution City" is a name; "Aleppo city" is the city of Aleppo. Try the whole first.
            ranked = [c for c in self.rank(query, kind=kind, admin1=admin1, country=country, near=near)
                      if c.method == "exact"]
        if not ranked:
            ranked = self.rank(name, kind=kind or kind_from_text, admin1=admin1, country=country, near=near)
        ranked.sort(key=lambda c: c.place.country_code != focus_cc)  # stable: focus country first
        if not ranked:
            return Resolution(None, [], "unknown name")
        return self._decide(ranked, kind=kind or kind_from_text, admin1=admin1,
                            restricted=bool(country_codes(country)), near=near, focus=focus_cc)

    def _decide(
        self,
        ranked: list[Candidate],
        *,
        kind: str | None,
        admin1: str | None,
        restricted: bool,
        near: tuple[float, float] | None,
        focus: str,
    ) -> Resolution:
        pool = ranked
        unit = self._admin1_unit(admin1) if admin1 else None
        supported = False
        if unit is not None:
            pool = [c for c in pool if self._in_admin1(c.place, unit)]
            if not pool:
                return Resolution(None, ranked, f"no candidate in {unit.name}")
            supported = True
        elif not restricted:
            hint_cc = self._country_at(near) if near is not None else None
            local = [c for c in pool if c.place.country_code == (hint_cc or focus)]
            pool = local or [c for c in pool if is_notable(c.place)]
            if not pool:
                return Resolution(None, ranked, "only places abroad that are not notable")
        if near is not None:
            # (A candidate farther than NEAR_SUPPORT_KM by latitude alone is not close: no distance.)
            km = {id(c): haversine_km(near, c.place.point) for c in pool
                  if abs(near[0] - c.place.latitude) * KM_PER_DEGREE_LAT_MIN <= NEAR_SUPPORT_KM}
            close = sorted((c for c in pool if km.get(id(c), math.inf) <= NEAR_SUPPORT_KM), key=lambda c: km[id(c)])
            if close:  # the nearest, and what is not clearly further away than it
                pool = [c for c in close if km[id(c)] <= km[id(close[0])] + NAMESAKE_KM]
                supported = True
        if kind is not None:
            pool = [c for c in pool if c.place.kind == kind] or pool
        else:  # the town over the governorate or district of the same name
            pool = [c for c in pool if c.place.kind == "populated_place"] or pool
        if pool[0].method != "exact":
            if len({c.place.place_id for c in pool}) > 1 or not supported:
                return Resolution(None, ranked, f"{pool[0].method} match without support")
            return Resolution(to_location(pool[0]), ranked, pool[0].method, pool[0])
        return self._namesakes(pool, ranked)

    def _namesakes(self, pool: list[Candidate], ranked: list[Candidate]) -> Resolution:
        """One answer unless namesakes far apart remain (see the module docstring)."""
        top = pool[0]
        far = [c for c in pool[1:] if farther_than(top.place.point, c.place.point, NAMESAKE_KM)]
        if not far:
            return Resolution(to_location(top), ranked, top.method, top)
        # The largest, or the highest-ranking seat, may be the one a bare name means.
        for lead in (max(pool, key=lambda c: c.place.population),
                     max(pool, key=lambda c: (self.seat_rank(c.place), c.place.population))):
            others = [c.place for c in pool if farther_than(lead.place.point, c.place.point, NAMESAKE_KM)]
            if self._dominant(lead.place, others):
                return Resolution(to_location(lead), ranked, lead.method, lead)
        spread = [top, *far]
        admin1s = {(c.place.country_code, c.place.admin1) for c in spread}
        if len(admin1s) == 1 and top.place.admin1:
            area = self.gazetteer.admin1_place(top.place.admin1, top.place.country_code)
            if area is not None:
                chosen = Candidate(area, top.matched_name, "ambiguous", top.score, top.rank_score)
                location = to_location(chosen)
                location.raw["candidates"] = [candidate_record(c) for c in spread]
                return Resolution(location, ranked, "ambiguous", chosen)
        return Resolution(None, ranked, "namesakes in different governorates")

    def _dominant(self, top: Place, others: list[Place]) -> bool:
        """Whether a bare name means ``top`` rather than its far namesakes: a town ``DOMINANCE`` times
        larger than each, or an administrative seat of a higher rank than each and not smaller."""
        if top.population >= DOMINANT_MIN_POPULATION and all(o.population * DOMINANCE <= top.population
                                                              for o in others):
            return True
        rank = self.seat_rank(top)
        return rank > 0 and all(self.seat_rank(o) < rank and o.population <= top.population for o in others)

    def seat_rank(self, place: Place) -> int:
        """3 a capital or governorate seat, 2 a district seat (PPLA2, or named like its district),
        1 a subdistrict seat (PPLA3), else 0."""
        code = place.feature_code
        if code in ("PPLC", "PPLA"):
            return 3
        if code == "PPLA2" or (place.admin2 and name_key(place.name) in self._district_keys().get(place.admin2, ())):
            return 2
        return 1 if code == "PPLA3" else 0

    def _fuzzy_matches(self, key: str) -> list[tuple[str, float]]:
        """(name key, fuzz.ratio) of the five keys with ``key``'s initial most like it, at least
        FUZZY_MIN_RATIO: ``process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=..., limit=5)``
        over those keys in the gazetteer's order (best first, ties in that order), without comparing
        the keys too long or too short to reach the cut-off: fuzz.ratio is at most
        ``200 * shorter / (sum of the lengths)``, the Indel distance being at least the difference."""
        by_length = self._keys_by_initial().get(key[0])
        if by_length is None:
            return []
        keys, lengths, order = by_length
        # A length outside [lo, hi] caps the ratio below FUZZY_MIN_RATIO - 1 (one point of slack
        # for the scorer's float arithmetic).
        bound = FUZZY_MIN_RATIO - 1.0
        lo = bisect_left(lengths, math.floor(len(key) * bound / (200.0 - bound)))
        hi = bisect_right(lengths, math.ceil(len(key) * (200.0 - bound) / bound))
        hits = process.extract(key, keys[lo:hi], scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_RATIO, limit=None)
        hits.sort(key=lambda hit: (-hit[1], order[lo + hit[2]]))
        return [(match_key, ratio) for match_key, ratio, _ in hits[:5]]

    def _keys_by_initial(self) -> dict[str, tuple[list[str], list[int], list[int]]]:
        """Per initial: (its name keys by length, their lengths, their places in the gazetteer's
        order), so that the keys of the lengths a fuzzy match allows are one slice."""
        if self._initials is None:
            grouped: dict[str, list[str]] = defaultdict(list)
            for k in self.gazetteer.keys:
                grouped[k[0]].append(k)
            self._initials = {}
            for initial, keys in grouped.items():
                ranked = sorted(range(len(keys)), key=lambda i: len(keys[i]))
                self._initials[initial] = ([keys[i] for i in ranked], [len(keys[i]) for i in ranked], ranked)
        return self._initials

    def _district_keys(self) -> dict[str, frozenset[str]]:
        if self._districts is None:
            self._districts = {u.name: frozenset(name_key(n) for n in (u.name, *u.aliases))
                               for u in self.gazetteer.admin2_units}
        return self._districts

    def _admin1_unit(self, hint: str) -> Admin1Unit | None:
        """The admin-1 unit a hint names: English short name, ISO 3166-2 code or an alias."""
        key = name_key(split_kind_words(hint)[0])
        for u in self.gazetteer.admin1_units:
            if hint.strip().upper() == u.code or key in (name_key(u.name), *map(name_key, u.aliases)):
                return u
        log.info("governorate hint %r not recognised: ignored", hint)
        return None

    def _in_admin1(self, place: Place, unit: Admin1Unit) -> bool:
        if place.admin1_code == unit.code or (place.admin1 == unit.name and place.country_code == unit.country_code):
            return True
        if place.kind not in ("populated_place", "admin2") or place.country_code != unit.country_code:
            return False
        south, north = self._latitudes(unit)
        if max(south - place.latitude, place.latitude - north) * KM_PER_DEGREE_LAT_MIN > BORDER_KM:
            return False  # farther than BORDER_KM from the unit by latitude alone: no polygon search
        nearest = nearest_points(unit.geometry, Point(place.longitude, place.latitude))[0]
        return haversine_km(place.point, (nearest.y, nearest.x)) <= BORDER_KM

    def _latitudes(self, unit: Admin1Unit) -> tuple[float, float]:
        """(southernmost, northernmost) latitude of a unit's polygon, once per unit."""
        span = self._unit_latitudes.get(unit.code)
        if span is None:
            _, south, _, north = unit.geometry.bounds
            span = self._unit_latitudes[unit.code] = (south, north)
        return span

    def _country_at(self, point: tuple[float, float]) -> str | None:
        unit = self.gazetteer.admin1_of(*point)
        return unit.country_code if unit else None

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


def candidate_record(candidate: Candidate) -> dict:
    """A candidate as a small JSON-able dict (for ``raw["candidates"]`` and batch output)."""
    p = candidate.place
    return {"place_id": p.place_id, "name": p.name, "kind": p.kind, "admin1": p.admin1, "admin2": p.admin2,
            "country_code": p.country_code, "latitude": p.latitude, "longitude": p.longitude,
            "population": p.population, "match": candidate.method}


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
