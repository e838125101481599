"""The geoparsing pipeline behind one facade: text in, placed, dated, typed events out.

Stages (each a function or small class over typed values; the gazetteer is injected):

1. segmentation (:mod:`geo.extract.text`): paragraphs, sentences, clauses, with spans;
2. toponyms (:mod:`geo.extract.toponyms`): gazetteer names and cue-pattern names;
3. resolution: each name to a place, using the governorates and places around it as hints;
4. triggers and actors (:mod:`geo.extract.lexicon`, :mod:`geo.extract.events`);
5. dates (:mod:`geo.dates`), resolved against the publication date;
6. events: triggers tied to the places of their clause or sentence, merged per
   (place, date, type), ordered best first.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from geopy.distance import geodesic

from geo.dates import DateMention, find_dates
from geo.extract.actors import interaction_code
from geo.extract.events import (
    ActorHit,
    Draft,
    PlaceSlot,
    TriggerHit,
    choose_actors,
    drop_explained,
    find_actors,
    find_fatality_count,
    find_triggers,
    is_background,
    refine_sub_type,
)
from geo.extract.lexicon import NOT_EVENT_BEFORE, Trigger
from geo.extract.text import Span, SpanSet, clauses, index_of, paragraphs, sentences
from geo.extract.toponyms import FoundName, ToponymFinder
from geo.gazetteer import (
    COUNTRY_NAMES,
    Candidate,
    Gazetteer,
    LocalGeocoder,
    default_gazetteer,
    geo_precision_of,
    name_key,
)
from geo.gazetteer.geocoder import (
    NAMESAKE_KM,
    NEAR_SUPPORT_KM,
    Resolution,
    farther_than,
)
from geo.gazetteer.names import skeleton_key
from geo.models import Article, Event, ExtractionResult, Mention, Place, stable_id

log = logging.getLogger(__name__)

# Loose (skeleton/fuzzy) matches of capitalised names must score at least this.
LOOSE_MIN_SCORE = 0.72
# Phrases that name a place without a proper name: "the capital" (not followed by a name) is
# Damascus; the Idlib de-escalation zone goes by several descriptions.
_PHRASE_PLACES: tuple[tuple[re.Pattern, str, str], ...] = (
    (re.compile(r"\bthe (?:Syrian )?capital\b(?!,?\s+(?:city\s+)?[A-Z])"), "Damascus", "populated_place"),
    (re.compile(r"[“\"]?(?:Putin\s*[–—-]\s*Erdogan|de-?escalation|demilitari[sz]ed|buffer)[”\"]?\s+(?:zone|area)",
                re.IGNORECASE), "Idlib de-escalation zone", "admin2"),
)
_DEADLY_RE = re.compile(
    r"\b(?:kill(?:s|ed|ing)?|dead|died|deaths?|death toll|casualt(?:y|ies)|martyrs?|massacres?|lives|"
    r"bodies|executed|slain|fatalities)\b", re.IGNORECASE)
_NEAR_CUE = ("near ", "outside ", "outskirts of ", "vicinity of ", "around ", "north of ", "south of ",
             "east of ", "west of ", "northeast of ", "northwest of ", "southeast of ", "southwest of ",
             "countryside of ", "suburbs of ", "outskirts of the town of ", "near the town of ",
             "near the village of ")


_LOCATIVE_BEFORE = re.compile(
    r"\b(?:in|at|near|from|outside|around|towards?|into|of|village|town|city|hamlet)\s+(?:the\s+)?$", re.IGNORECASE)
_CROSS_BORDER = re.compile(
    r"\b(?:border|cross-border|frontier|landed|fell (?:in|on)|spilled|struck inside|inside (?:Turkey|Lebanon|Iraq|Jordan|Israel))",
    re.IGNORECASE)
# "the neighbourhoods of X and Y", "X and Y neighbourhoods": quarters of a city named after them.
_QUARTER_BEFORE = re.compile(r"\bneighbou?rhoods?\s+(?:of\s+|in\s+)?(?:the\s+)?(?:[\w'’-]+(?:\s+[\w'’-]+)?\s*(?:,|and)\s+)*$",
                             re.IGNORECASE)
_QUARTER_AFTER = re.compile(r"(?:\s*(?:,|and)\s+[\w'’-]+(?:\s+[\w'’-]+)?)*\s+neighbou?rhoods?\b", re.IGNORECASE)
# A town this large has neighbourhoods that villages elsewhere are named like.
CITY_POPULATION = 100_000
# Between a town and its governorate written as its address: "Tafas in Daraa", "Saraqib, Idlib".
_ADDRESS_JOIN = re.compile(r"(?:\s+(?:village|town|city))?(?:\s*,\s*|\s+in\s+(?:the\s+)?)")
# "X village", "X town": the text says X is a place.
_LOCATIVE_AFTER = re.compile(r"\s+(?:village|town|city|hamlet|neighbou?rhood|camp)\b", re.IGNORECASE)
_PLAIN_WORD = re.compile(r"[A-Z][a-z]+(?:['’]s)?$")
_SUB_PLACES = (r"neighbo(?:u)?rhoods?|district|quarter|camp|hills?|mountains?|mount|airbase|air base|airport|"
               r"military airport|base|dam|crossing|checkpoint|road|highway|square|roundabout|prison|"
               r"suburb|factory|bridge|plain")
_SUB_PLACE_AFTER = re.compile(r"(?:'s|’s)?\s+(" + _SUB_PLACES + r")\b", re.IGNORECASE)
_SUB_PLACE_BEFORE = re.compile(r"\b(?:" + _SUB_PLACES + r")\s+(?:of\s+)?$", re.IGNORECASE)


_DIRECTION = r"(?P<dir>north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)?"
# "east of X", "the southern countryside of X", "north rural X": X is the anchor, the direction is
# where the sentence's other places lie from it.
_DIRECTION_BEFORE = re.compile(
    _DIRECTION + r"\s+(?:(?:countryside|outskirts|suburbs|rural|parts?|side|areas?)\s+)?(?:of\s+)?(?:the\s+)?"
    r"(?:(?:city|town|province|governorate|countryside)\s+of\s+)?$", re.IGNORECASE)
# "X's northern countryside", "X eastern countryside"
_DIRECTION_AFTER = re.compile(r"(?:['’]s)?\s+" + _DIRECTION + r"\s+(?:countryside|outskirts|suburbs)\b", re.IGNORECASE)
_BEARINGS = {"north": 0.0, "northeast": 45.0, "east": 90.0, "southeast": 135.0, "south": 180.0,
             "southwest": 225.0, "west": 270.0, "northwest": 315.0}
# A place "east of X" lies within this many degrees of due east from X, and this close to it.
DIRECTION_TOLERANCE_DEG = 67.5
DIRECTION_MAX_KM = 150.0
# ... and the phrase starts at most this many characters after X.
DIRECTION_REACH = 40


# "a town south of X", "two villages 10 km east of the city of X": an unnamed place near X.
_UNNAMED_RELATIVE_BEFORE = re.compile(
    r"\b(?:a|an|one|two|three|four|several|some|other|in|at)\s+(?:small\s+|nearby\s+|rural\s+)?"
    r"(?:towns?|villages?|areas?|suburbs?|neighbou?rhoods?|districts?|hamlets?|checkpoints?|positions?)\s+"
    r"(?:just\s+|about\s+|some\s+|located\s+|lying\s+)*(?:\d+\s*(?:km|kilomet(?:er|re)s?|miles)\s+)?"
    + _DIRECTION + r"\s+of\s+(?:the\s+)?(?:(?:city|town|capital)\s*(?:of\s+|,\s*)?)?$", re.IGNORECASE)
# "just south of Idlib province": a place outside the governorate ("the south of" is inside it).
_OUTSIDE_AREA_BEFORE = re.compile(r"(?P<the>\bthe\s+(?:far\s+)?)?\b" + _DIRECTION[:-len("(?:ern)?")]
                                  + r"\s+of\s+(?:the\s+)?$", re.IGNORECASE)
UNNAMED_OFFSET_KM = 15.0


def _bearing(origin: tuple[float, float], target: tuple[float, float]) -> float:
    """Compass bearing in degrees from origin to target (flat approximation: short distances)."""
    dlat = target[0] - origin[0]
    dlon = (target[1] - origin[1]) * math.cos(math.radians(origin[0]))
    return math.degrees(math.atan2(dlon, dlat)) % 360.0


def lies_towards(origin: tuple[float, float], target: tuple[float, float], direction: str) -> bool:
    """Whether ``target`` lies in ``direction`` ("east", "north-west"...) from ``origin``, near it."""
    wanted = _BEARINGS[direction.lower().replace("-", "")]
    gap = abs((_bearing(origin, target) - wanted + 180.0) % 360.0 - 180.0)
    return gap <= DIRECTION_TOLERANCE_DEG and not farther_than(origin, target, DIRECTION_MAX_KM)


# Between two names of one list: ", ", " and ", ", and ", " or ", " & ".
_LIST_JOIN = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+|\s*&\s*)")
_PLURAL_AREAS_AFTER = re.compile(r"(?:['’]s)?\s+(?:provinces|governorates|countrysides)\b", re.IGNORECASE)


def _centre(points: list[tuple[float, float]]) -> tuple[float, float]:
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def _clause_locator(cls: list[Span]):
    """pos -> index of the clause (of one sentence, at most MAX_SENTENCE_CHARS long) holding it."""
    def clause_of(pos: int) -> int:
        for i, c in enumerate(cls):
            if pos < c.end:
                return i
        return len(cls) - 1
    return clause_of


class _Buckets:
    """Items with a ``start`` grouped by the span (sentence, paragraph) they start in."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = spans
        self.starts = [s.start for s in spans]

    def index(self, pos: int) -> int:
        return index_of(self.spans, pos, self.starts)

    def group(self, items: Iterable) -> list[list]:
        out: list[list] = [[] for _ in self.spans]
        for item in items:
            i = self.index(item.start)
            if self.spans and self.spans[i].start <= item.start < self.spans[i].end:
                out[i].append(item)
        return out


class Geoparser:
    """Extracts events from articles. ``Geoparser(gazetteer)`` for a custom (tiny) gazetteer."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or default_gazetteer()
        self.geocoder = LocalGeocoder(self.gazetteer)
        self.finder = ToponymFinder(self.gazetteer)
        self._rank_cache: dict[tuple, list[Candidate]] = {}
        self._resolve_cache: dict[tuple, Resolution] = {}

    # -- public --------------------------------------------------------------------------------
    def clear_caches(self) -> None:
        """Forget the per-name resolutions (a benchmark times them; a long run keeps them)."""
        self._rank_cache.clear()
        self._resolve_cache.clear()

    def extract(self, article: Article) -> ExtractionResult:
        return self.extract_text(article.text, published=article.published, article_id=article.article_id,
                                 source=article.source or article.title)

    def extract_text(
        self,
        text: str,
        *,
        published: dt.date | None = None,
        article_id: str | None = None,
        source: str = "",
    ) -> ExtractionResult:
        article_id = article_id or stable_id(text, published)
        sents = sentences(text)
        paras = paragraphs(text)
        found = self.finder.find(text)
        found += self._loose_names(text, found)
        found.sort(key=lambda f: f.start)
        found = self._spread_countryside(text, found)
        mentions = self._resolve(found, sents)
        unresolved = self._unresolved(text, found)
        place_spans = [(m.start, m.end) for m in mentions] + [(m.start, m.end) for m in unresolved]
        triggers = find_triggers(text, place_spans)
        actors = [a for a in find_actors(text)]
        article_admin1 = Counter(m.place.admin1 for m in mentions if m.place and m.place.country_code == "SY"
                                 and m.place.admin1 and m.place.kind != "country")

        # Everything is bucketed by sentence and paragraph once (bisect), so that the loop below
        # touches each trigger, actor and place a bounded number of times: linear in the text.
        by_sent = _Buckets(sents)
        s_triggers_of = by_sent.group(triggers)
        s_actors_of = by_sent.group(actors)
        s_mentions_of = by_sent.group(mentions)
        s_unresolved_of = by_sent.group(unresolved)
        by_para = _Buckets(paras)
        p_actors_of = by_para.group([a for a in actors if a.kind != "civilians"])
        placed = [m.place for m in mentions if m.place is not None and m.place.kind != "country"]
        # An article mostly about Syria: a place abroad is an event place only where a sentence says
        # the violence crossed the border, in every paragraph ("a truce after the battle in Gaza").
        syrian_article = bool(placed) and sum(p.country_code == "SY" for p in placed) * 2 >= len(placed)
        syrian_paras = [syrian_article or any(m.place is not None and m.place.country_code == "SY"
                                              and m.place.kind != "country" for m in group)
                        for group in by_para.group(mentions)]
        drafts: list[Draft] = []
        prev_slots: list[PlaceSlot] = []
        prev_para = -1
        para_date: DateMention | None = None
        para_actors: Counter = Counter()
        for s_index, sent in enumerate(sents):
            para = by_para.index(sent.start) if paras else 0
            if para != prev_para:
                prev_slots, para_date, prev_para = [], None, para
                para_actors = Counter(a.name for a in p_actors_of[para]) if paras else Counter()
            cls = clauses(sent)
            clause_of = _clause_locator(cls)
            s_triggers = drop_explained(s_triggers_of[s_index], clause_of, cls)
            s_actors = s_actors_of[s_index]
            s_dates = find_dates(sent.text, published, offset=sent.start)
            slots = self._slots(sent, s_mentions_of[s_index], s_unresolved_of[s_index], clause_of, article_admin1,
                                syrian_paras[para] if paras else False)
            if s_dates:
                date, inherited = s_dates[0], False
                para_date = s_dates[-1]
            else:
                date, inherited = para_date, para_date is not None
            if s_triggers and is_background(sent.text, published, s_dates):
                continue  # history or a war summary: its places are context, not events
            if not s_triggers:
                if slots:
                    prev_slots = slots
                continue
            pairs = self._pair(s_triggers, slots, clause_of)
            if not slots and prev_slots:
                pairs = [(t, s, True) for t in s_triggers for s in prev_slots]
            elif slots:
                prev_slots = slots
            drafts += self._sentence_drafts(pairs, sent, s_index, date, inherited, s_actors, para_actors, clause_of)
        events = self._merge(drafts, article_id=article_id, source=source, published=published)
        return ExtractionResult(article_id=article_id, events=tuple(events), unresolved=tuple(unresolved),
                                mentions=tuple(mentions))

    # -- stages ----------------------------------------------------------------------------------
    def _rank(self, surface: str, **hints) -> list[Candidate]:
        key = (name_key(surface), tuple(sorted(hints.items())))
        cached = self._rank_cache.get(key)
        if cached is None:
            cached = self.geocoder.rank(surface, **hints)
            if len(self._rank_cache) > 50_000:
                self._rank_cache.clear()
            self._rank_cache[key] = cached
        return cached

    def _loose_names(self, text: str, found: list[FoundName]) -> list[FoundName]:
        """Names the exact automaton missed: capitalised sequences that the geocoder's skeleton or
        fuzzy tier resolves to a Syrian place, and "the capital" for Damascus."""
        extra: list[FoundName] = []
        covered = [(f.start, f.end) for f in found]
        found_spans = SpanSet(covered)
        support = self._context_admin1(found)
        for surface, start, end in self.finder.capitalised_names(text, covered):
            if NOT_EVENT_BEFORE.search(text, max(0, start - 80), start):
                continue  # a place of origin or comparison ("fired from X", "than in X")
            locative = (_LOCATIVE_BEFORE.search(text, max(0, start - 25), start) is not None
                        or _LOCATIVE_AFTER.match(text, end) is not None)
            if not (support or locative):
                continue  # nothing in the text supports a loose match: do not even look
            if not locative and _PLAIN_WORD.match(surface):
                continue  # "Renewed", "Aerial", "Seven": a capitalised word alone is not worth a fuzzy scan
            if not (locative or skeleton_key(surface) in self.gazetteer.by_skeleton):
                # The geocoder's fuzzy tier scans every name key; a capitalised word that shares no
                # skeleton with a gazetteer name is worth that scan only where the text puts a
                # place ("in X", "near X", "the village of X").
                continue
            if self.finder.is_typo_of_prominent(name_key(surface)):
                continue  # "Syra" is Syria misspelt, not a village that a loose match finds
            cands = self._rank(surface)
            if cands and cands[0].place.country_code == "SY" and cands[0].score >= LOOSE_MIN_SCORE:
                # One site: the Syrian candidates that match as well as the best all lie together
                # (one village spelt two ways in two sources).
                rivals = [c for c in cands if c.place.country_code == "SY" and c.score >= cands[0].score - 0.05]
                one_site = not any(farther_than(cands[0].place.point, c.place.point, NAMESAKE_KM) for c in rivals)
                supported = cands[0].place.admin1 in support or (
                    locative and cands[0].method == "skeleton" and one_site)
                if cands[0].method != "exact" and not supported:
                    # A loose match needs the text's support: its governorate named around it, or a
                    # single Syrian skeleton match where the text puts a place ("in Saraqeb").
                    continue
                hint, countryside = self.finder._kind_from_context(text, start, end)
                extra.append(FoundName(name_key(cands[0].matched_name), start, end, surface, hint, countryside))
        for pattern, place_name, kind in _PHRASE_PLACES:
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
        is_area = [any(self.gazetteer.places[i].kind == "admin1" for i in self.gazetteer.by_key.get(f.key, ()))
                   for f in out]
        joined = [i > 0 and _LIST_JOIN.fullmatch(text, out[i - 1].end, out[i].start) is not None
                  for i in range(len(out))]
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
        whose name is unambiguous."""
        out: set[str] = set()
        for f in found:
            places = [self.gazetteer.places[i] for i in self.gazetteer.by_key.get(f.key, ())]
            syrian = {p.admin1 for p in places if p.country_code == "SY" and p.admin1}
            if any(p.kind == "admin1" for p in places) or len(syrian) == 1:
                out |= syrian
        return out

    def _resolve(self, found: list[FoundName], sents: list[Span]) -> list[Mention]:
        """Resolve names to places. A name whose Syrian namesakes lie far apart is decided by the
        context, strongest evidence first (see :meth:`_choose`); the others take their best match."""
        first: list[list[Candidate]] = []
        for name in found:
            surface = name.surface if not name.surface.lower().startswith("the ") else name.key
            first.append(self._rank(surface, kind=name.kind_hint if name.kind_hint in ("admin1", "populated_place") else None))
        sent_starts = [s.start for s in sents]
        sent_of = [index_of(sents, n.start, sent_starts) if sents else 0 for n in found]
        # Evidence: the governorates each sentence names (a governorate, or a town named like its
        # governorate), and the places with one reading (no far namesake).
        sent_admin1: dict[int, list[str]] = {}
        sure: list[tuple[int, Place]] = []  # (sentence index, place)
        for n_sent, cands in zip(sent_of, first):
            if not cands:
                continue
            area = next((c.place for c in cands if c.place.kind == "admin1"), None)
            if area is not None and area.admin1:
                named = sent_admin1.setdefault(n_sent, [])
                if area.admin1 not in named:
                    named.append(area.admin1)
            if not self._far_namesakes(cands) and cands[0].place.country_code == "SY" \
                    and cands[0].place.kind in ("populated_place", "admin2"):
                sure.append((n_sent, cands[0].place))
        article_admin1 = Counter(a for named in sent_admin1.values() for a in named)
        # Governorates the article names as such ("Hama province", "Hama's countryside"): there a
        # bare "Hama" is the governorate too, unless the text says the city.
        as_area = {c.place.admin1 for n, cands in zip(found, first) if n.countryside or n.kind_hint == "admin1"
                   for c in cands if c.place.kind == "admin1"}
        directions = self._directions(found, first, sent_of, sents)
        sure_ids = {p.place_id for _, p in sure}
        mentions: list[Mention] = []
        for name, cands, n_sent in zip(found, first, sent_of):
            if not cands:
                continue
            best: Candidate | None = cands[0]
            if self._far_namesakes(cands) and not self._dominant_reading(name):
                sent_points = [p.point for i, p in sure if i == n_sent]
                same = {c.place.place_id: c for c in cands if c.place.place_id in sure_ids}
                # A namesake the article also names unambiguously ("Kobani" and "Ain al-Arab") is the one.
                best = (next(iter(same.values())) if len(same) == 1 else None) or \
                    self._towards(name, cands, directions.get(n_sent, [])) or self._choose(
                    name, sent_admin1.get(n_sent, []), sent_points,
                    [a for a, _ in article_admin1.most_common()], [p.point for _, p in sure])
                if best is None:
                    continue  # namesakes far apart and nothing in the text to choose: no guess
            place = best.place
            kind_hint = name.kind_hint
            area = next((c.place for c in cands if c.place.kind == "admin1"), None)
            if kind_hint is None and area is not None and area.admin1 in as_area and place.kind == "populated_place":
                place, kind_hint = area, "admin1"
            if name.countryside:
                # "Idlib countryside": the governorate when the name is one, else near the town.
                admin = next((c.place for c in cands if c.place.kind == "admin1"), None)
                if admin is not None:
                    place, kind_hint = admin, "countryside"
                else:
                    kind_hint = "near"
            mentions.append(Mention(text=name.surface, start=name.start, end=name.end, place=place,
                                    kind_hint=kind_hint, cue="", score=best.score))
        return mentions

    @staticmethod
    def _directions(found: list[FoundName], first: list[list[Candidate]], sent_of: list[int],
                    sents: list[Span]) -> dict[int, list[tuple[str, tuple[float, float], int]]]:
        """Per sentence, (direction, anchor point) for "east of X", "the southern countryside of X",
        "X's northern countryside", X a place with one reading (a governorate's name: its town)."""
        out: dict[int, list[tuple[str, tuple[float, float], int]]] = {}
        for name, cands, n_sent in zip(found, first, sent_of):
            if not cands or Geoparser._far_namesakes(cands) or not sents:
                continue
            anchor = next((c.place for c in cands if c.place.kind == "populated_place"), cands[0].place)
            if anchor.country_code != "SY" or anchor.kind == "country":
                continue
            text, base = sents[n_sent].text, sents[n_sent].start
            start, end = name.start - base, name.end - base
            match = _DIRECTION_BEFORE.search(text, max(0, start - 60), start) or _DIRECTION_AFTER.match(text, end)
            if match is not None:
                at = base + min(match.start(), start)  # where the phrase "... east of X" begins
                out.setdefault(n_sent, []).append((match.group("dir"), anchor.point, at))
        return out

    @staticmethod
    def _towards(name: FoundName, cands: list[Candidate],
                 directions: list[tuple[str, tuple[float, float], int]]) -> Candidate | None:
        """The namesake that lies where the text points ("X in the eastern countryside of Y", "X,
        east of Y": the phrase follows X closely), when exactly one reading does."""
        top = cands[0].place
        pool = [c for c in cands if c.place.country_code == "SY" and c.place.kind == top.kind]
        for direction, anchor, at in directions:
            if not 0 <= at - name.end <= DIRECTION_REACH:
                continue
            fits = [c for c in pool if lies_towards(anchor, c.place.point, direction)]
            if fits and not any(farther_than(fits[0].place.point, c.place.point, NAMESAKE_KM) for c in fits[1:]):
                return fits[0]
        return None

    @staticmethod
    def _far_namesakes(cands: list[Candidate]) -> bool:
        """Whether the best candidate has a Syrian namesake of its kind too far away to be it."""
        top = cands[0]
        if top.place.country_code != "SY" or top.place.kind not in ("populated_place", "admin2"):
            return False
        if any(c.place.kind == "admin1" for c in cands):
            return False  # a governorate's name: the governorate or its seat, never a village namesake
        return any(c.place.country_code == "SY" and c.place.kind == top.place.kind
                   and farther_than(top.place.point, c.place.point, NAMESAKE_KM) for c in cands[1:])

    def _dominant_reading(self, name: FoundName) -> bool:
        """Whether the name alone means one of its namesakes: a town far larger than the others, or
        an administrative seat among villages (the geocoder's rule)."""
        surface = name.surface if not name.surface.lower().startswith("the ") else name.key
        chosen = self._resolved(surface, None).chosen
        return chosen is not None and chosen.method != "ambiguous"

    def _choose(self, name: FoundName, sent_admin1: list[str], sent_points: list[tuple[float, float]],
                article_admin1: list[str], article_points: list[tuple[float, float]]) -> Candidate | None:
        """Namesakes far apart: the evidence in this order decides (the first that picks one wins):
        a governorate named in the sentence; the sentence's other places (the reading that lies
        with them); the article's governorates, most named first; the article's places; else the
        geocoder's own rule (a dominant town, the shared governorate at precision 3, or nothing)."""
        surface = name.surface if not name.surface.lower().startswith("the ") else name.key
        kind = name.kind_hint if name.kind_hint in ("admin1", "populated_place") else None
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
        cached = self._resolve_cache.get(key)
        if cached is None:
            cached = self.geocoder.resolve(surface, kind=kind, **hints)
            if len(self._resolve_cache) > 50_000:
                self._resolve_cache.clear()
            self._resolve_cache[key] = cached
        return cached

    def _unresolved(self, text: str, found: list[FoundName]) -> list[Mention]:
        out: list[Mention] = []
        found_spans = SpanSet((f.start, f.end) for f in found)
        for surface, start, end in self.finder.cue_names(text):
            if found_spans.overlaps(start, end):
                continue
            if any(self.finder._searchable(self.gazetteer.places[i])
                   for i in self.gazetteer.by_key.get(name_key(surface), ())):
                continue  # a gazetteer name that the finder chose not to take (a common word...)
            out.append(Mention(text=surface, start=start, end=end, place=None, cue="cue"))
        return out

    def _slots(self, sent: Span, mentions: list[Mention], unresolved: list[Mention], clause_of,
               article_admin1: Counter, syrian_paragraph: bool = False) -> list[PlaceSlot]:
        """Places of one sentence (``mentions`` and ``unresolved`` are that sentence's)."""
        in_sent = [m for m in mentions if m.place is not None]
        usable = [m for m in in_sent if m.place.kind != "country"]
        towns = [m for m in usable if m.place.kind in ("populated_place", "admin2")]
        slots: list[PlaceSlot] = []
        quarters: list[tuple[Mention, Mention]] = []  # (neighbourhood, its city)
        quarter_city = {id(m): city for m in towns if (city := self._city_of_neighbourhood(sent, m, towns))}
        addressed = [t for t in towns if id(t) not in quarter_city]  # towns that can have an address
        abroad_ok = not syrian_paragraph or _CROSS_BORDER.search(sent.text) is not None
        for m in usable:
            place = m.place
            if place.country_code != "SY" and not abroad_ok:
                # A paragraph about Syria: a place abroad is where someone spoke, met, fled or was
                # based, unless the sentence says the violence crossed the border.
                continue
            if place.kind == "admin1" and any(t.place.admin1_code == place.admin1_code for t in towns):
                continue  # "Manbij in the province of Aleppo": the province is context
            if self._governorate_after_town(sent, m, addressed):
                continue  # "Tafas in Daraa", "Saraqib, Idlib": the governorate, named as the town's context
            before = sent.text[max(0, m.start - sent.start - 60): m.start - sent.start]
            if place.kind == "admin1" and (outside := _OUTSIDE_AREA_BEFORE.search(before)) \
                    and outside.group("the") is None:
                continue  # "the region just south of Idlib province" lies outside Idlib province
            city = quarter_city.get(id(m))
            if city is not None:
                # "the neighbourhoods of Hamdaniyah and Jamiliyah in Aleppo": quarters of the city
                # that share their names with villages elsewhere; the event is in the city.
                for slot in slots:
                    if slot.start == city.start:
                        slot.geo_precision = max(2, slot.geo_precision)
                        slot.location_detail = slot.location_detail or f"{m.text} neighbourhood"
                quarters.append((m, city))
                continue
            unnamed = _UNNAMED_RELATIVE_BEFORE.search(before) if place.kind == "populated_place" else None
            if unnamed is not None:
                # "a town south of Damascus": an unnamed place, not Damascus; the event is in the
                # governorate that lies that way (precision 3), the phrase kept as the detail.
                slot = self._area_towards(m, place, unnamed, clause_of(m.start))
                if slot is not None:
                    slots.append(slot)
                continue
            precision = geo_precision_of(place)
            if m.kind_hint == "near" or (precision == 1 and self._near_cue(sent, m)):
                precision = 2
            slots.append(self._slot(m.text, m.start, m.end, clause_of(m.start), place, precision, m.score))
        for m, city in quarters:
            for slot in slots:
                if slot.start == city.start:
                    slot.geo_precision = max(2, slot.geo_precision)
                    slot.location_detail = slot.location_detail or f"{m.text} neighbourhood"
        # Unresolved names: a sub-place of a town named with it ("the Sheikh Maqsoud neighbourhood
        # of Aleppo", "Shbeit mountain east of Khanaser") puts the event at the town (precision 2,
        # the sub-place kept as location_detail); others fall back to the governorate named nearby.
        for u in unresolved:
            detail = self._sub_place(sent, u, towns)
            if detail is not None:
                kind_word, town = detail
                for slot in slots:
                    if slot.start == town.start:
                        slot.geo_precision = max(2, slot.geo_precision)
                        slot.location_detail = f"{u.text} {kind_word}".strip()
                continue
            if any(clause_of(t.start) == clause_of(u.start) for t in towns):
                continue
            admin = next((m.place for m in in_sent if m.place.kind == "admin1"), None)
            if admin is None:
                admin1 = next((m.place.admin1 for m in towns if m.place.admin1), None) or (
                    article_admin1.most_common(1)[0][0] if article_admin1 else None)
                admin = self.gazetteer.admin1_place(admin1) if admin1 else None
            if admin is None:
                continue
            slot = self._slot(u.text, u.start, u.end, clause_of(u.start), admin, 3, 0.5)
            slot.key = f"unresolved:{name_key(u.text)}:{admin.place_id}"
            slot.resolved = False
            # "the village of X in the countryside of Idlib": Idlib is X's context, not an event.
            slots = [s for s in slots if not (s.resolved and s.place_id == admin.place_id)]
            slots.append(slot)
        return slots

    @staticmethod
    def _sub_place(sent: Span, u: Mention, towns: list[Mention]) -> tuple[str, Mention] | None:
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

    def _sentence_drafts(self, pairs: list, sent: Span, s_index: int, date: DateMention | None, inherited: bool,
                         s_actors: list[ActorHit], para_actors: Counter, clause_of) -> list[Draft]:
        """One draft per (trigger, place) pair of a sentence, with the sentence's one death count."""
        count = find_fatality_count(sent.text)
        dead_key = self._fatality_slot(pairs, clause_of(sent.start + count[1]), clause_of) if count else None
        deadly_clauses = {clause_of(sent.start + m.start()) for m in _DEADLY_RE.finditer(sent.text)}
        drafts = []
        for trig, slot, place_inherited in pairs:
            # One count per sentence, on one place: never repeated across its events.
            fatalities = count[0] if count and slot.key == dead_key else None
            draft = self._draft(trig, slot, place_inherited, sent, s_index, date, inherited,
                                s_actors, para_actors, fatalities, clause_of)
            draft.deadly = slot.clause in deadly_clauses or clause_of(trig.start) in deadly_clauses
            drafts.append(draft)
        return drafts

    @staticmethod
    def _fatality_slot(pairs: list, count_clause: int, clause_of) -> str | None:
        """The place a sentence's death count belongs to: the place of the count's clause, else
        the place of a trigger in that clause, else the sentence's first pair."""
        for _, slot, _ in pairs:
            if slot.clause == count_clause:
                return slot.key
        for trig, slot, _ in pairs:
            if clause_of(trig.start) == count_clause:
                return slot.key
        return pairs[0][1].key if pairs else None

    @staticmethod
    def _city_of_neighbourhood(sent: Span, m: Mention, towns: list[Mention]) -> Mention | None:
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

    def _governorate_after_town(self, sent: Span, m: Mention, towns: list[Mention]) -> bool:
        """Whether ``m`` is a governorate's name (its seat's too) written right after a town of that
        governorate as its address: "X in Daraa", "X, Idlib"."""
        place = m.place
        if place is None or place.kind != "populated_place" or not any(
                self.gazetteer.places[i].kind == "admin1" and self.gazetteer.places[i].admin1_code == place.admin1_code
                for i in self.gazetteer.by_key.get(name_key(m.text), ())):
            return False
        for t in towns:
            if t is not m and t.place.admin1_code == place.admin1_code and t.end <= m.start and \
                    _ADDRESS_JOIN.fullmatch(sent.text, t.end - sent.start, m.start - sent.start):
                return True
        return False

    def _area_towards(self, m: Mention, place: Place, unnamed: re.Match, clause: int) -> PlaceSlot | None:
        """The governorate slot for "a town <direction> of X": the unit holding the point
        ``UNNAMED_OFFSET_KM`` from X that way."""
        bearing = _BEARINGS[unnamed.group("dir").lower().replace("-", "")]
        point = geodesic(kilometers=UNNAMED_OFFSET_KM).destination(place.point, bearing)
        unit = self.gazetteer.admin1_of(point.latitude, point.longitude)
        area = self.gazetteer.admin1_place(unit.name, unit.country_code) if unit else None
        if area is None:
            return None
        slot = self._slot(m.text, m.start, m.end, clause, area, 3, m.score)
        slot.location_detail = " ".join(unnamed.group(0).split()) + " " + m.text
        return slot

    @staticmethod
    def _near_cue(sent: Span, m: Mention) -> bool:
        before = sent.text[max(0, m.start - sent.start - 40) : m.start - sent.start].lower()
        return before.endswith(_NEAR_CUE)

    def _slot(self, surface: str, start: int, end: int, clause: int, place: Place, precision: int,
              score: float) -> PlaceSlot:
        admin1, admin1_code = place.admin1 or "", place.admin1_code or ""
        if not admin1:
            unit = self.gazetteer.admin1_of(place.latitude, place.longitude)
            if unit:
                admin1, admin1_code = unit.name, unit.code
        admin2 = place.admin2 or ""
        if not admin2 and place.country_code == "SY" and place.kind in ("populated_place", "admin2"):
            unit = self.gazetteer.admin2_of(place.latitude, place.longitude)
            admin2 = unit.name if unit else ""
        point = place.point
        return PlaceSlot(key=place.place_id, start=start, end=end, surface=surface, clause=clause,
                         location=place.name if place.kind != "admin1" else place.admin1 or place.name,
                         latitude=point[0], longitude=point[1],
                         country=COUNTRY_NAMES.get(place.country_code, place.country_code),
                         admin1=admin1, admin1_code=admin1_code, geo_precision=precision,
                         place_id=place.place_id, match_score=score, resolved=True, admin2=admin2)

    @staticmethod
    def _pair(triggers: list[TriggerHit], slots: list[PlaceSlot], clause_of) -> list[tuple[TriggerHit, PlaceSlot, bool]]:
        """Tie triggers and places of one sentence: same clause first, else the nearest clause."""
        pairs: list[tuple[TriggerHit, PlaceSlot, bool]] = []
        seen: set[tuple[int, int]] = set()
        t_clauses = {id(t): clause_of(t.start) for t in triggers}
        for t in triggers:
            same = [s for s in slots if s.clause == t_clauses[id(t)]]
            if not same and slots:
                nearest = min(abs(s.clause - t_clauses[id(t)]) for s in slots)
                same = [s for s in slots if abs(s.clause - t_clauses[id(t)]) == nearest]
            for s in same:
                if (id(t), id(s)) not in seen:
                    seen.add((id(t), id(s)))
                    pairs.append((t, s, False))
        for s in slots:
            if any(ps is s for _, ps, _ in pairs):
                continue
            nearest = min(abs(t_clauses[id(t)] - s.clause) for t in triggers)
            for t in triggers:
                if abs(t_clauses[id(t)] - s.clause) == nearest:
                    pairs.append((t, s, False))
        return pairs

    def _draft(self, trig: TriggerHit, slot: PlaceSlot, place_inherited: bool, sent: Span, s_index: int,
               date: DateMention | None, date_inherited: bool, s_actors: list[ActorHit],
               context_actors: Counter, fatalities: int | None, clause_of) -> Draft:
        actor1, actor2, written1, filled = choose_actors(trig, s_actors, sent.text, context_actors,
                                                         sentence_start=sent.start)
        etype, sub = refine_sub_type(trig.trigger, written1, sent.text)
        confidence = 0.4
        confidence += 0.0 if place_inherited else (0.2 if slot.clause == clause_of(trig.start) else 0.1)
        confidence += 0.1 * slot.match_score
        confidence += 0.1 if date is not None and not date_inherited else 0.0
        confidence += 0.1 if actor1 and not filled else 0.0
        confidence -= 0.1 if not slot.resolved else 0.0
        date_value = date.date if date is not None else None
        key = (slot.key, date_value, etype)
        trigger = Trigger(etype, sub, trig.trigger.priority, trig.trigger.pattern)
        return Draft(key=key, trigger=trigger, slot=slot, sentence=sent, sentence_index=s_index, date=date,
                     date_inherited=date_inherited, actor1=actor1, actor2=actor2, fatalities=fatalities,
                     confidence=round(min(0.95, max(0.05, confidence)), 3))

    def _merge(self, drafts: Iterable[Draft], *, article_id: str, source: str,
               published: dt.date | None) -> list[Event]:
        groups: dict[tuple, list[Draft]] = {}
        for d in drafts:
            groups.setdefault(d.key, []).append(d)
        events: list[tuple[tuple, Event]] = []
        for key, group in groups.items():
            first = min(group, key=lambda d: (d.sentence_index, d.slot.start))
            best = max(group, key=lambda d: (d.trigger.priority, d.confidence))
            slot = first.slot
            date = first.date
            if date is None and published is not None:
                event_date, precision = published, 2  # reported in that day's article, day not stated
            elif date is None:
                event_date, precision = None, None
            else:
                event_date = date.date
                precision = max(date.precision, 2) if first.date_inherited else date.precision
            actor1 = next((d.actor1 for d in sorted(group, key=lambda d: -d.confidence) if d.actor1), "")
            actor2 = next((d.actor2 for d in sorted(group, key=lambda d: -d.confidence) if d.actor2 and d.actor2 != actor1), "")
            fatalities = max((d.fatalities for d in group if d.fatalities is not None), default=None)
            event = Event(
                event_id=f"{article_id}-{stable_id(*key, length=10)}",
                event_date=event_date,
                time_precision=precision,
                event_type=best.trigger.event_type,
                sub_event_type=best.trigger.sub_event_type,
                actor1=actor1,
                actor2=actor2,
                country=slot.country,
                admin1=slot.admin1,
                admin1_code=slot.admin1_code,
                location=slot.location,
                latitude=slot.latitude,
                longitude=slot.longitude,
                geo_precision=slot.geo_precision,
                fatalities=fatalities,
                notes=first.sentence.text,
                article_id=article_id,
                source=source,
                sentence_start=first.sentence.start,
                sentence_end=first.sentence.end,
                place_start=slot.start,
                place_end=slot.end,
                place_id=slot.place_id,
                confidence=max(d.confidence for d in group),
                interaction=interaction_code(actor1, actor2),
                admin2=slot.admin2,
                location_detail=next((d.slot.location_detail for d in group if d.slot.location_detail), ""),
            )
            # Best first: confident, precise and early events lead (the lead sentence of a news
            # text names what it is mainly about; later sentences add context).
            # Deadly events lead: the reports this tool reads (and UCDP/ACLED) centre on them.
            deadly = any(d.deadly for d in group)
            order = (-(event.confidence - 0.05 * first.sentence_index - 0.1 * (slot.geo_precision - 1)
                       + (0.15 if deadly else 0.0)),
                     first.sentence_index, slot.start)
            events.append((order, event))
        # "Idlib countryside" beside "Binnish" (Idlib) on the same day: the governorate-level event
        # is an event of the report said vaguely (a headline's "car bomb" is the body's "blast in
        # X"), not one more; the report placed its events more precisely.
        precise = {(e.admin1, e.event_date) for _, e in events if e.geo_precision < 3}
        events = [(o, e) for o, e in events if e.geo_precision < 3 or (e.admin1, e.event_date) not in precise]
        events.sort(key=lambda pair: pair[0])
        return [e for _, e in events]
