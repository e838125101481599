"""The geoparsing pipeline behind one facade: text in, placed, dated, typed events out.

Stages (each a function or small class over typed values; the gazetteer is injected):

1. segmentation (:mod:`geo.extract.text`): paragraphs, sentences, clauses, with spans;
2. toponyms (:mod:`geo.extract.toponyms`): gazetteer names and cue-pattern names;
3. resolution (:mod:`geo.extract.resolve`): each name to a place, the text's evidence deciding
   among namesakes far apart; then, per sentence, the places that are event locations (slots);
4. triggers and actors (:mod:`geo.extract.lexicon`, :mod:`geo.extract.events`);
5. dates (:mod:`geo.dates`), resolved against the publication date;
6. events: triggers tied to the places of their clause or sentence, merged per
   (place, date, type), ordered best first.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable

from geopy.distance import geodesic

from geo.alternation import Alternation
from geo.dates import DateMention, find_dates, sentence_date
from geo.extract.actors import interaction_code
from geo.extract.events import (
    ActorHit,
    Draft,
    LazyCounts,
    PlaceSlot,
    TriggerHit,
    choose_actors,
    drop_explained,
    fatality_slot,
    fatality_trigger,
    find_actors,
    find_fatality_count,
    find_triggers,
    intro_clause_end,
    is_background,
    refine_sub_type,
    result_of,
    said_vaguely,
)
from geo.extract.lexicon import (
    DIRECTION,
    DIRECTION_WORD,
    DIRECTION_WORDS,
    LANDMARK_HEAD_BEFORE,
    Trigger,
)
from geo.extract.relative import (
    ADDRESS_JOIN,
    ADDRESS_WORDS,
    ATTRIBUTIVE_AFTER,
    NEAR_WORDS,
    QUARTER_WORDS,
    ROAD_WORDS,
    address_after,
    city_of_quarter,
    near_towns,
    references,
    region_is_address,
    roads,
    town_of_sub_place,
)
from geo.extract.resolve import (
    PlaceResolver,
    areas_before,
    bearing_of,
    direction_search,
    no_area,
)
from geo.extract.text import (
    Buckets,
    Span,
    SpanSet,
    paragraphs,
    sentence_clauses,
    sentences,
)
from geo.extract.toponyms import FoundName, ToponymFinder
from geo.gazetteer import (
    COUNTRY_NAMES,
    Gazetteer,
    LocalGeocoder,
    default_gazetteer,
    geo_precision_of,
    name_key,
)
from geo.models import (
    Article,
    Event,
    ExtractionResult,
    Mention,
    Place,
    event_from_values,
    stable_id,
)
from geo.words import lacks_words

log = logging.getLogger(__name__)

# (An Alternation: the engine skips to the words' first letters; the matches of the plain pattern.)
_DEADLY_RE = Alternation([("deadly", r"kill(?:s|ed|ing)?|dead|di(?:e|es|ed)|deaths?|death toll|casualt(?:y|ies)|martyrs?|"
                                     r"massacres?|lives|bodies|executed|slain|fatalities")],
                         re.IGNORECASE, prefix=r"\b", suffix=r"\b")
# Every _DEADLY_RE match holds one of these words.
_DEADLY_WORDS = ("kill", "dead", "die", "death", "casualt", "martyr", "massacre", "lives", "bodies", "executed",
                 "slain", "fatalities")


_CROSS_BORDER = re.compile(
    r"\b(?:border|cross-border|frontier|landed|fell (?:in|on)|spilled|struck inside|inside (?:Turkey|Lebanon|Iraq|Jordan|Israel))",
    re.IGNORECASE)
# "a town south of X", "two villages 10 km east of the city of X": an unnamed place near X.
_UNNAMED_RELATIVE_BEFORE = re.compile(
    r"\b(?:a|an|one|two|three|four|several|some|other|in|at)\s+(?:small\s+|nearby\s+|rural\s+)?"
    r"(?:towns?|villages?|areas?|suburbs?|neighbou?rhoods?|districts?|hamlets?|checkpoints?|positions?)\s+"
    r"(?:just\s+|about\s+|some\s+|located\s+|lying\s+)*(?:\d+\s*(?:km|kilomet(?:er|re)s?|miles)\s+)?"
    + DIRECTION + r"\s+of\s+(?:the\s+)?(?:(?:city|town|capital)\s*(?:of\s+|,\s*)?)?$", re.IGNORECASE)
# "just south of Idlib province": a place outside the governorate ("the south of" is inside it).
_OUTSIDE_AREA_BEFORE = re.compile(r"(?P<the>\bthe\s+(?:far\s+)?)?\b" + DIRECTION_WORD
                                  + r"\s+of\s+(?:the\s+)?$", re.IGNORECASE)
UNNAMED_OFFSET_KM = 15.0
# How far an event placed in a sentence's opening clause of circumstance falls in the ranking
# (_merge): more than being deadly gains it, so the main clause leads even when only the scene
# was deadly; as much as six sentences further down the text.
INTRO_PENALTY = 0.3


# The counts of nothing, shared (read only: most_common, truth), not made anew for every text.
_NO_COUNTS: Counter = Counter()


def _abroad_ok(sent: Span, usable: list[Mention], syrian_paragraph: bool) -> bool:
    """Whether a sentence's places abroad may be event places: outside a paragraph about Syria,
    or where the sentence says the violence crossed the border (asked only with a place abroad)."""
    return not syrian_paragraph or all(m.place.country_code == "SY" for m in usable) \
        or _CROSS_BORDER.search(sent.text) is not None


def _syrian_paragraphs(mentions: list[Mention], by_para: Buckets) -> list[bool]:
    """Per paragraph, whether it is about Syria (see :func:`_abroad_ok`)."""
    placed = [m.place for m in mentions if m.place is not None and m.place.kind != "country"]
    # An article mostly about Syria: a place abroad is an event place only where a sentence says
    # the violence crossed the border, in every paragraph ("a truce after the battle in Gaza").
    syrian_article = bool(placed) and sum(p.country_code == "SY" for p in placed) * 2 >= len(placed)
    return [syrian_article or any(m.place is not None and m.place.country_code == "SY" and m.place.kind != "country"
                                  for m in group) for group in by_para.group(mentions)]


def _names_a_country(mentions: list[Mention]) -> bool:
    return any(m.place is not None and m.place.kind == "country" for m in mentions)


class Geoparser:
    """Extracts events from articles. ``Geoparser(gazetteer)`` for a custom (tiny) gazetteer."""

    def __init__(self, gazetteer: Gazetteer | None = None) -> None:
        self.gazetteer = gazetteer or default_gazetteer()
        self.geocoder = LocalGeocoder(self.gazetteer)
        self.finder = ToponymFinder(self.gazetteer)
        self.resolver = PlaceResolver(self.gazetteer, self.geocoder, self.finder)
        self._units_cache: dict[Place, tuple[str, str, str]] = {}

    # -- public --------------------------------------------------------------------------------
    def clear_caches(self) -> None:
        """Forget the per-name resolutions (a benchmark times them; a long run keeps them)."""
        self.resolver.clear_caches()
        self._units_cache.clear()

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
        found = self.resolver.find_names(text)
        mentions = self.resolver.resolve(found, sents)
        unresolved = self._unresolved(text, found)
        place_spans = [(m.start, m.end) for m in mentions] + [(m.start, m.end) for m in unresolved]
        triggers = find_triggers(text, place_spans)
        actors = [a for a in find_actors(text)]
        area_before = areas_before(mentions) if unresolved else no_area  # (read only for a name the gazetteer lacks)

        # Everything is bucketed by sentence and paragraph once (bisect), so that the loop below
        # touches each trigger, actor and place a bounded number of times: linear in the text.
        by_sent = Buckets(sents)
        s_triggers_of = by_sent.group(triggers)
        s_actors_of = by_sent.group(actors)
        s_mentions_of = by_sent.group(mentions)
        s_unresolved_of = by_sent.group(unresolved)
        by_para = Buckets(paras)
        p_actors_of = by_para.group([a for a in actors if a.kind != "civilians"])
        syrian_paras = _syrian_paragraphs(mentions, by_para)
        drafts: list[Draft] = []
        intro_ends: dict[int, int | None] = {}  # per sentence start: where its opening clause ends
        prev_slots: list[PlaceSlot] = []
        prev_para = -1
        para_date: DateMention | None = None
        last_day: dt.date | None = None  # the last day the text gave ("a day earlier" counts from it)
        para_actors: Counter | LazyCounts = _NO_COUNTS
        for s_index, sent in enumerate(sents):
            para = by_para.index(sent.start) if paras else 0
            if para != prev_para:
                prev_slots, para_date, prev_para = [], None, para
                para_actors = LazyCounts([a.name for a in p_actors_of[para]]) if paras else _NO_COUNTS
            if not s_triggers_of[s_index] and (s_index + 1 == len(sents)
                                               or by_para.index(sents[s_index + 1].start) != para):
                continue  # no trigger, and no later sentence of its paragraph borrows its places or date
            names = [(m.start, m.end) for m in (*s_mentions_of[s_index], *s_unresolved_of[s_index])]
            cls, clause_of = sentence_clauses(sent, names, bool(s_triggers_of[s_index] or names))
            s_triggers = drop_explained(s_triggers_of[s_index], clause_of, cls, names, s_actors_of[s_index])
            s_actors = s_actors_of[s_index]
            s_dates = find_dates(sent.text, published, offset=sent.start, reference=last_day)
            last_day = next((d.date for d in reversed(s_dates) if d.precision == 1), last_day)
            slots = self._slots(sent, s_mentions_of[s_index], s_unresolved_of[s_index], clause_of, area_before,
                                syrian_paras[para] if paras else False)
            date, inherited, para_date = sentence_date(s_dates, para_date)
            if s_triggers and is_background(sent.text, published, s_dates):
                continue  # history or a war summary: its places are context, not events
            if not s_triggers:
                if slots:
                    prev_slots = slots
                continue
            pairs = self._pair(s_triggers, slots, clause_of)
            if not slots and prev_slots and not _names_a_country(s_mentions_of[s_index]):
                # A sentence with no place of its own is about the place of the one before; one
                # that names only a country ("an airstrike against Syria") names its area, the
                # country, which is no point on the map: it borrows no town.
                pairs = [(t, s, True) for t in s_triggers for s in prev_slots]
            elif slots:
                prev_slots = slots
            sentence_drafts = self._sentence_drafts(pairs, sent, s_index, date, inherited, s_actors, para_actors,
                                                    clause_of, cls)
            if sentence_drafts:
                intro_ends[sent.start] = intro_clause_end(sent.text, [t.start - sent.start for t in s_triggers])
            drafts += sentence_drafts
        events = self._merge(drafts, intro_ends, article_id=article_id, source=source, published=published)
        return ExtractionResult(article_id=article_id, events=tuple(events), unresolved=tuple(unresolved),
                                mentions=tuple(mentions))

    # -- stages ----------------------------------------------------------------------------------
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
               area_before: Callable[[int], str | None], syrian_paragraph: bool = False) -> list[PlaceSlot]:
        """Places of one sentence (``mentions`` and ``unresolved`` are that sentence's)."""
        in_sent = [m for m in mentions if m.place is not None]
        usable = [m for m in in_sent if m.place.kind != "country"]
        towns = [m for m in usable if m.place.kind in ("populated_place", "admin2")]
        slots: list[PlaceSlot] = []
        quarters: list[tuple[Mention, Mention]] = []  # (neighbourhood, its city)
        quarter_city = {} if lacks_words(sent.text, QUARTER_WORDS) else {  # (quarters are named as such)
            id(m): city for m in towns if (city := city_of_quarter(sent, m, towns))}
        addressed = [t for t in towns if id(t) not in quarter_city]  # towns that can have an address
        compass = bool(usable) and not lacks_words(sent.text, DIRECTION_WORDS)  # (then no window has one)
        abroad_ok = _abroad_ok(sent, usable, syrian_paragraph)
        road_of = {} if lacks_words(sent.text, ROAD_WORDS) else {  # "the Aleppo-Damascus highway"
            id(towns[i]): road for i, road in roads(sent.text, [(t.start - sent.start, t.end - sent.start)
                                                               for t in towns]).items()}
        near_at, located_by = set(), set()
        if usable and not lacks_words(sent.text, NEAR_WORDS):  # (every near cue holds one of the words)
            spans = [(m.start - sent.start, m.end - sent.start) for m in usable]
            near_at = {id(usable[i]) for i in near_towns(sent.text, spans)}
            if compass and len(usable) > 1:  # "X, southwest of Y": Y says where X is
                located_by = {id(usable[i]) for i in references(sent.text, spans)}
        # "the Idlib town of Saraqib", "the Aleppo district of X": a town as the address of the place after it
        address_of = {} if lacks_words(sent.text, ADDRESS_WORDS) else {
            id(t): a for t in towns if (a := address_after(sent.text, t.end - sent.start))}
        named_at = {m.start - sent.start: m for m in usable} if address_of else {}
        districts = {id(named_at.get(a.name_start)) for a in address_of.values() if a.kind == "part"}
        for m in usable:
            place = m.place
            address = address_of.get(id(m))
            if id(m) in districts or (address and address.kind != "part" and address.name_start in named_at):
                continue  # a district named by its city (the city's slot holds it); a town's address
            if address is not None and address.kind == "place" and place.admin1:
                # "the Hama village of X", X not in the gazetteer: somewhere in the town's governorate
                area = self.gazetteer.admin1_place(place.admin1)
                if area is not None:
                    slots.append(self._slot(m.text, m.start, m.end, clause_of(m.start), area, 3, m.score))
                    slots[-1].location_detail = address.detail
                    continue
            if place.country_code != "SY" and not abroad_ok:
                # A paragraph about Syria: a place abroad is where someone spoke, met, fled or was
                # based, unless the sentence says the violence crossed the border.
                continue
            if place.kind == "admin1" and any(t.place.admin1_code == place.admin1_code for t in towns):
                continue  # "Manbij in the province of Aleppo": the province is context
            if self._governorate_after_town(sent, m, addressed) or region_is_address(sent, m, addressed):
                continue  # "Tafas in Daraa", "Kafr Batna in Eastern Ghouta": the area, named as the town's context
            before = sent.text[max(0, m.start - sent.start - 60): m.start - sent.start]
            if place.kind == "admin1" and compass and (outside := direction_search(_OUTSIDE_AREA_BEFORE, before, 0, len(before))) \
                    and outside.group("the") is None:
                continue  # "the region just south of Idlib province" lies outside Idlib province
            city = quarter_city.get(id(m))
            if city is not None:
                # "the neighbourhoods of Hamdaniyah and Jamiliyah in Aleppo": quarters of the city
                # that share their names with villages elsewhere; the event is in the city (its
                # slot is marked below, once every slot of the sentence is made).
                quarters.append((m, city))
                continue
            unnamed = direction_search(_UNNAMED_RELATIVE_BEFORE, before, 0, len(before)) \
                if compass and place.kind == "populated_place" else None
            if unnamed is not None:
                # "a town south of Damascus": an unnamed place, not Damascus; the event is in the
                # governorate that lies that way (precision 3), the phrase kept as the detail.
                slot = self._area_towards(m, place, unnamed, clause_of(m.start))
                if slot is not None:
                    slots.append(slot)
                continue
            road = road_of.get(id(m))
            if (road is not None and not road.first) or id(m) in located_by:
                continue  # the road's other town; a place that only says where the one before it is
            if place.kind == "populated_place" and ATTRIBUTIVE_AFTER.match(sent.text, m.end - sent.start):
                # "9 killed in Idlib shelling": the governorate's name used as an adjective
                place = self._seated_governorate(m) or place
            precision = geo_precision_of(place)
            near = m.kind_hint == "near" or (precision == 1 and (road is not None or id(m) in near_at or address))
            # "Tal al-Hammamiyat": the hill by Hammamiyat (the landmark kept as the detail)
            landmark = LANDMARK_HEAD_BEFORE.search(before) if precision == 1 and not near else None
            if near or landmark is not None:
                precision = 2
            slots.append(self._slot(m.text, m.start, m.end, clause_of(m.start), place, precision, m.score))
            if address is not None:
                slots[-1].location_detail = address.detail  # "Sheikh Maqsoud district", "Harasta suburb"
            elif landmark is not None or road is not None:
                slots[-1].location_detail = road.detail if road else before[landmark.start():] + m.text
        for m, city in quarters:
            for slot in slots:
                if slot.start == city.start:
                    slot.geo_precision = max(2, slot.geo_precision)
                    slot.location_detail = slot.location_detail or f"{m.text} neighbourhood"
        # Unresolved names: a sub-place of a town named with it ("the Sheikh Maqsoud neighbourhood
        # of Aleppo", "Shbeit mountain east of Khanaser") puts the event at the town (precision 2,
        # the sub-place kept as location_detail); others fall back to the governorate named nearby.
        for u in unresolved:
            detail = town_of_sub_place(sent, u, towns)
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
                admin1 = next((m.place.admin1 for m in towns if m.place.admin1), None) or area_before(u.start)
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

    def _sentence_drafts(self, pairs: list, sent: Span, s_index: int, date: DateMention | None, inherited: bool,
                         s_actors: list[ActorHit], para_actors: Counter, clause_of,
                         clause_spans: list[Span]) -> list[Draft]:
        """One draft per (trigger, place) pair of a sentence, with the sentence's one death count."""
        if not pairs:
            return []  # triggers but no place, not even the sentence before's: no count is asked for
        # "Warplanes struck X, killing 3": the deaths (and their count) are the strike's, in the clause before
        count = find_fatality_count(sent.text)
        count_clause = clause_of(sent.start + count[1]) if count else -1
        count_clauses = (count_clause, result_of(count_clause, clause_spans))
        dead_key = fatality_slot(pairs, count_clauses, clause_of) if count else None
        dead_trig = fatality_trigger(pairs, dead_key, count_clauses, clause_of) if count else None
        deadly_clauses = set() if lacks_words(sent.text, _DEADLY_WORDS) else {
            clause_of(sent.start + m.start()) for m in _DEADLY_RE.finditer(sent.text)}
        deadly_clauses |= {result_of(i, clause_spans) for i in deadly_clauses}
        # Deaths in a clause with no place and no event of its own ("Tens killed and injured in
        # clashes in X") are the nearest event's.
        told = {clause_of(t.start) for t, _, _ in pairs} | {s.clause for _, s, _ in pairs}
        deadly_clauses |= {min(told, key=lambda c: (abs(c - i), c)) for i in deadly_clauses if i not in told}
        drafts = []
        typed: dict[int, tuple] = {}  # a trigger's actors and type, the same for each of its places
        for trig, slot, place_inherited in pairs:
            # One count per sentence, on one place and one trigger: never repeated across its events.
            fatalities = count[0] if count and slot.key == dead_key and trig is dead_trig else None
            if id(trig) not in typed:
                typed[id(trig)] = self._typed(trig, sent, s_actors, para_actors)
            draft = self._draft(trig, typed[id(trig)], slot, place_inherited, sent, s_index, date, inherited,
                                fatalities, clause_of)
            draft.deadly = slot.clause in deadly_clauses or clause_of(trig.start) in deadly_clauses
            drafts.append(draft)
        return drafts

    def _governorate_after_town(self, sent: Span, m: Mention, towns: list[Mention]) -> bool:
        """Whether ``m`` is a governorate's name (its seat's too) written right after a town of that
        governorate as its address: "X in Daraa", "X, Idlib"."""
        place = m.place
        if place is None or place.kind != "populated_place":
            return False
        before = [t for t in towns if t is not m and t.place.admin1_code == place.admin1_code and t.end <= m.start]
        if not before or self._seated_governorate(m) is None:
            return False  # (the town before it asked first: most names have none)
        return any(ADDRESS_JOIN.fullmatch(sent.text, t.end - sent.start, m.start - sent.start) for t in before)

    def _seated_governorate(self, m: Mention) -> Place | None:
        """The governorate that bears the name of the town ``m`` resolved to and holds it (its seat)."""
        return next((a for a in self.resolver.areas(name_key(m.text)) if a.admin1_code == m.place.admin1_code), None)

    def _area_towards(self, m: Mention, place: Place, unnamed: re.Match, clause: int) -> PlaceSlot | None:
        """The governorate slot for "a town <direction> of X": the unit holding the point
        ``UNNAMED_OFFSET_KM`` from X that way."""
        bearing = bearing_of(unnamed.group("dir"))
        point = geodesic(kilometers=UNNAMED_OFFSET_KM).destination(place.point, bearing)
        unit = self.gazetteer.admin1_of(point.latitude, point.longitude)
        area = self.gazetteer.admin1_place(unit.name, unit.country_code) if unit else None
        if area is None:
            return None
        slot = self._slot(m.text, m.start, m.end, clause, area, 3, m.score)
        slot.location_detail = " ".join(unnamed.group(0).split()) + " " + m.text
        return slot

    def _units_of(self, place: Place) -> tuple[str, str, str]:
        """(admin1, admin1_code, admin2) of a place: its own, else the units holding its point."""
        admin1, admin1_code = place.admin1 or "", place.admin1_code or ""
        if not admin1:
            unit = self.gazetteer.admin1_of(place.latitude, place.longitude)
            if unit:
                admin1, admin1_code = unit.name, unit.code
        admin2 = place.admin2 or ""
        if not admin2 and place.country_code == "SY" and place.kind in ("populated_place", "admin2"):
            unit = self.gazetteer.admin2_of(place.latitude, place.longitude)
            admin2 = unit.name if unit else ""
        return admin1, admin1_code, admin2

    def _slot(self, surface: str, start: int, end: int, clause: int, place: Place, precision: int,
              score: float) -> PlaceSlot:
        # The point-in-polygon lookups, once per place (a place is frozen: same fields, same units).
        units = self._units_cache.get(place)
        if units is None:
            units = self._units_cache[place] = self._units_of(place)
        admin1, admin1_code, admin2 = units
        # (Positional, in the fields' order: a keyword call binds each name, three times the cost.)
        return PlaceSlot(place.place_id, start, end, surface, clause,  # key, start, end, surface, clause
                         place.name if place.kind != "admin1" else place.admin1 or place.name,  # location
                         place.latitude, place.longitude, COUNTRY_NAMES.get(place.country_code, place.country_code),
                         admin1, admin1_code, precision, place.place_id, score, True, admin2)  # ... resolved, admin2

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
        # A place with no trigger in its clause takes the nearest clause's triggers, even when a
        # trigger with no place of its own borrowed it ("struck X and near Y, adding that air
        # defences shot down the missiles": Y was struck too).
        for s in slots:
            if any(ps is s and t_clauses[id(t)] == s.clause for t, ps, _ in pairs):
                continue
            nearest = min(abs(t_clauses[id(t)] - s.clause) for t in triggers)
            for t in triggers:
                if abs(t_clauses[id(t)] - s.clause) == nearest and (id(t), id(s)) not in seen:
                    seen.add((id(t), id(s)))
                    pairs.append((t, s, False))
        return pairs

    @staticmethod
    def _typed(trig: TriggerHit, sent: Span, s_actors: list[ActorHit], context_actors: Counter | LazyCounts) -> tuple:
        """(actor1, actor2, filled, the trigger's type refined) of a trigger in its sentence."""
        actor1, actor2, written1, filled = choose_actors(trig, s_actors, sent.text, context_actors,
                                                         sentence_start=sent.start)
        etype, sub = refine_sub_type(trig.trigger, written1, sent.text)
        trigger = trig.trigger  # (a new record only when refined: most triggers keep their type)
        if etype != trigger.event_type or sub != trigger.sub_event_type:
            trigger = Trigger(etype, sub, trigger.priority, trigger.pattern)
        return actor1, actor2, filled, trigger

    def _draft(self, trig: TriggerHit, typed: tuple, slot: PlaceSlot, place_inherited: bool, sent: Span,
               s_index: int, date: DateMention | None, date_inherited: bool, fatalities: int | None,
               clause_of) -> Draft:
        actor1, actor2, filled, trigger = typed
        confidence = 0.4
        confidence += 0.0 if place_inherited else (0.2 if slot.clause == clause_of(trig.start) else 0.1)
        confidence += 0.1 * slot.match_score
        confidence += 0.1 if date is not None and not date_inherited else 0.0
        confidence += 0.1 if actor1 and not filled else 0.0
        confidence -= 0.1 if not slot.resolved else 0.0
        date_value = date.date if date is not None else None
        key = (slot.key, date_value, trigger.event_type)
        return Draft(key, trigger, slot, sent, s_index, date, date_inherited, actor1, actor2, fatalities,
                     round(min(0.95, max(0.05, confidence)), 3))  # (positional, as PlaceSlot above) confidence

    def _merge(self, drafts: Iterable[Draft], intro_ends: dict[int, int | None], *, article_id: str, source: str,
               published: dt.date | None) -> list[Event]:
        """One event per (place, day, type) of the drafts, best first. ``intro_ends``: where each
        sentence's opening clause of circumstance ends (:func:`intro_clause_end`)."""
        groups: dict[tuple, list[Draft]] = {}
        for d in drafts:
            slot_key, day, etype = d.key
            # A sentence that names no day reports the article's (below): at the same place, of
            # the same type, it is the event of a sentence that names that day, not one more.
            groups.setdefault((slot_key, day or published, etype), []).append(d)
        events: list[tuple[tuple, Event]] = []
        for group in groups.values():
            if len(group) == 1:  # most groups: one draft is first, best and dated alike
                first = best = dated = group[0]
                by_confidence = group
            else:
                first = min(group, key=lambda d: (d.sentence_index, d.slot.start))
                best = max(group, key=lambda d: (d.trigger.priority, d.confidence))
                dated = min((d for d in group if d.date is not None),
                            key=lambda d: (d.sentence_index, d.slot.start), default=first)
                by_confidence = sorted(group, key=lambda d: -d.confidence)
            key = dated.key  # the event id as before the undated sentences joined it
            slot = first.slot
            date = dated.date
            if date is None and published is not None:
                event_date, precision = published, 2  # reported in that day's article, day not stated
            elif date is None:
                event_date, precision = None, None
            else:
                event_date = date.date
                precision = max(date.precision, 2) if dated.date_inherited else date.precision
            actor1 = next((d.actor1 for d in by_confidence if d.actor1), "")
            actor2 = next((d.actor2 for d in by_confidence if d.actor2 and d.actor2 != actor1), "")
            fatalities = max((d.fatalities for d in group if d.fatalities is not None), default=None)
            event = event_from_values(  # (the fields in EVENT_FIELDS order: event_id, date, ...)
                f"{article_id}-{stable_id(*key, length=10)}", event_date, precision,
                best.trigger.event_type, best.trigger.sub_event_type, actor1, actor2,
                slot.country, slot.admin1, slot.admin1_code, slot.location, slot.latitude, slot.longitude,
                slot.geo_precision, fatalities, first.sentence.text, article_id, source,
                first.sentence.start, first.sentence.end, slot.start, slot.end, slot.place_id,
                max(d.confidence for d in group), slot.admin2,
                next((d.slot.location_detail for d in group if d.slot.location_detail), ""),  # location_detail
                interaction_code(actor1, actor2), "", False)  # interaction, source_ref, reviewed
            # Best first: confident, precise and early events lead (the lead sentence of a news
            # text names what it is mainly about; later sentences add context).
            # Deadly events lead: the reports this tool reads (and UCDP/ACLED) centre on them.
            deadly = any(d.deadly for d in group)
            # A place in a sentence's opening clause of circumstance ("After the attack in X
            # failed, a bomber struck Y") is the scene; the main clause's place leads.
            sent = first.sentence
            intro_end = intro_ends.get(sent.start)
            in_intro = intro_end is not None and slot.start - sent.start < intro_end
            score = (event.confidence - 0.05 * first.sentence_index - 0.1 * (slot.geo_precision - 1)
                     + (0.15 if deadly else 0.0) - (INTRO_PENALTY if in_intro else 0.0))
            # (rounded: equal scores are ties, which the earlier place wins, not float noise)
            order = (-round(score, 6), first.sentence_index, slot.start)
            events.append((order, event))
        # (an undated event at a place: a headline's only; in the body it may be another day's)
        found = [e for _, e in events]
        events = [(o, e) for o, e in events if not said_vaguely(e, found, published if o[1] == 0 else None)]
        events.sort(key=lambda pair: pair[0])
        return [e for _, e in events]
