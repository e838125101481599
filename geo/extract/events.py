"""Event extraction stages: triggers and actors per clause, places tied to triggers, dates,
fatalities, and the merge of repeats into one event per (place, date, type).

Each stage is a function over typed values; :mod:`geo.extract.pipeline` chains them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from geo.alternation import Alternation
from geo.dates import DateMention
from geo.extract.actors import ACTORS, CIVILIANS, canonical_actor
from geo.extract.lexicon import (
    ACTOR_KIND,
    ACTOR_RE,
    CIVILIAN_RE,
    GENERIC_ATTACK_WORDS,
    GOVERNMENT,
    GROUP_NAME_HINT,
    GROUP_NAME_RE,
    TRIGGER_RE,
    WEAK_TRIGGERS,
    Trigger,
    actor_of,
    is_actor_match,
    trigger_of,
)
from geo.extract.text import Span, SpanSet
from geo.models import Event
from geo.words import lacks_words


@dataclass(frozen=True, slots=True)
class TriggerHit:
    trigger: Trigger
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class ActorHit:
    name: str
    kind: str
    start: int
    end: int
    text: str


# A trigger the text says did not happen: "no airstrikes", "without clashes", "the absence of
# warplanes", "a halt to the shelling", "did not attack". (At most one word between "no" and the
# trigger: "no doubt the shelling..." is not a denial of the shelling.)
_NEGATED_BEFORE = re.compile(
    r"(?:\b(?:no|without)\s+(?:[\w-]+\s+)?"
    r"|\b(?:absence|halt|cessation|lack|end)\s+(?:of|to)\s+(?:the\s+)?(?:[\w-]+\s+)?"
    r"|\b(?:not|never)\s+(?:been\s+)?)$", re.IGNORECASE)
_NEGATION_REACH = 40


# Every _NEGATED_BEFORE match ends with whitespace, its denying word followed by at most three
# more words ("absence of the X "): one of these ends one of the window's last four words.
_NEGATING_WORDS = ("no", "without", "absence", "halt", "cessation", "lack", "end", "not", "never")


def is_negated(text: str, start: int) -> bool:
    """Whether the trigger word at ``start`` is denied by the words just before it."""
    if start == 0 or not text[start - 1].isspace():
        return False  # (most triggers follow a space: only those can be denied)
    window = text[max(0, start - _NEGATION_REACH):start]
    if window.isascii():
        # (ASCII: str.lower and str.split agree with the pattern's IGNORECASE and \s.)
        for word in window.lower().rsplit(None, 4)[-4:]:
            if word.endswith(_NEGATING_WORDS):
                break
        else:
            return False
    return _NEGATED_BEFORE.search(text, max(0, start - _NEGATION_REACH), start) is not None


# An agreement talked of, not reached: "met to discuss a ceasefire", "called for a truce".
_UNREALISED_BEFORE = re.compile(
    r"\b(?:discuss(?:ed|es|ing)?|call(?:s|ed|ing)?\s+for|urg(?:e|es|ed|ing)|propos(?:e|es|ed|ing)|seek(?:s|ing)?|"
    r"sought|push(?:es|ed|ing)?\s+for|demand(?:s|ed|ing)?|hop(?:e|es|ed|ing)\s+for|negotiat(?:e|es|ed|ing)|"
    r"to\s+reach|plans?\s+for|efforts?\s+(?:to\s+reach|for)|prospects?\s+(?:of|for)|talks?\s+(?:on|about))\s+"
    r"(?:(?:a|an|the|new|lasting|nationwide|possible|another|fresh|local|permanent|full)\s+){0,3}$",
    re.IGNORECASE)


def find_triggers(text: str, exclude: list[tuple[int, int]]) -> list[TriggerHit]:
    hits = []
    excluded = SpanSet(exclude)
    for match in TRIGGER_RE.finditer(text):
        start, end = match.span()
        if excluded.contains(start) or excluded.contains(end - 1) or is_negated(text, start):
            continue
        trigger = trigger_of(match.lastgroup or "")
        if trigger.sub_event_type == "Agreement" and _UNREALISED_BEFORE.search(text, max(0, start - 60), start):
            continue  # an agreement talked of, not reached
        hits.append(TriggerHit(trigger, start, end, match.group()))
    return hits


# A foreign state's bare name ("Turkey", "Russia") names its forces only as the doer ("Turkey
# shelled..."); after a preposition of place it is where something is or goes ("the border with
# Turkey", "fled to Turkey", "arrived from Iran"), not an actor of the event.
STATE_NAMES = frozenset(alias.casefold() for actor in ACTORS
                        if actor.category == 8 and actor.name.startswith("Military Forces of")
                        for alias in actor.aliases if alias.isalpha() and not alias.isupper())
_PLACE_BEFORE = re.compile(
    r"\b(?:border(?:s|ing)?(?:\s+(?:with|of))?|frontier\s+with|from|in|into|inside|to|towards?|near|across|via|"
    r"back\s+to|out\s+of)\s+(?:the\s+)?$", re.IGNORECASE)


def _names_a_place(text: str, match: re.Match) -> bool:
    """Whether an actor match is a foreign state's bare name used as a place."""
    return match.group().casefold() in STATE_NAMES and _PLACE_BEFORE.search(text, max(0, match.start() - 40),
                                                                           match.start()) is not None


def find_actors(text: str) -> list[ActorHit]:
    hits = []
    for match in ACTOR_RE.finditer(text):
        if not is_actor_match(match.group()) or _names_a_place(text, match):
            continue
        entry = actor_of(match.lastgroup or "")
        hits.append(ActorHit(entry.name, entry.kind, match.start(), match.end(), match.group()))
    # Armed groups the actor table does not know, named by their Arabic names ("Liwa al-Quds"):
    # the group itself is the actor (a non-state group whose side the text does not say).
    if GROUP_NAME_HINT.search(text) is None:
        hits.sort(key=lambda h: h.start)
        return hits  # no group's name can start here (a cheap check; most texts name none)
    known = SpanSet((h.start, h.end) for h in hits)
    for match in GROUP_NAME_RE.finditer(text):
        if not known.overlaps(match.start(), match.end()):
            name = canonical_actor(" ".join(match.group().split()))
            hits.append(ActorHit(name, "non_state", match.start(), match.end(), match.group()))
    hits.sort(key=lambda h: h.start)
    return hits


_PASSIVE = re.compile(
    r"\b(?:was|were|been|being|is|are|got)\s+(?:\w+\s+)?(?:pushed|driven|expelled|forced|kicked|ousted|"
    r"captured|seized|taken|killed|executed|kidnapped|abducted|targeted|attacked|shelled|bombed|hit)\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_COUNT = r"(?P<count>\d[\d,]*|" + "|".join(_NUMBER_WORDS) + r"|dozens|a dozen|hundreds)"
_NUM = r"\b" + _COUNT
# (Alternations: the engine skips to where a number, or kill/claim/death, can start; a count
# starts a word: with its \b as the prefix, only word starts are tried, not every "one" in "done".)
_FATALITY_RES = (
    # ("nine civilians, including four children, were killed": the aside is skipped)
    Alternation([("dead", _COUNT + r"\s+(?:[\w-]+(?:\s+|,\s+(?:including|among\s+them|among\s+whom)\s+[^,;.]{1,50},\s+)){0,4}?"
                          r"(?:were\s+|was\s+|have\s+been\s+|had\s+been\s+)?(?:killed|dead|died|deaths|lives|martyred|slain)")],
                re.IGNORECASE,
                prefix=r"\b"),
    Alternation([("toll", r"(?:kill(?:s|ed|ing)?|claim(?:s|ed|ing)? the lives of|death toll (?:rises |climbs )?(?:to|of)|"
                           r"(?:massacre|killing|slaughter)s? of|deaths of)\s+(?:at least\s+|about\s+|some\s+|nearly\s+|more than\s+|over\s+)?" + _NUM)], re.IGNORECASE),
)


# Every match of _FATALITY_RES holds one of these words (a cheap proof that a sentence has no count).
_FATALITY_WORDS = ("kill", "dead", "died", "death", "lives", "martyred", "slain", "claim", "massacre", "slaughter")


def _number(token: str) -> int | None:
    token = token.lower().replace(",", "")
    if token.isdigit():
        return int(token)
    # ACLED's conservative reading of words without a number: "dozens" 12, "hundreds" 100.
    if token in ("a dozen", "dozens"):
        return 12
    if token == "hundreds":
        return 100
    return _NUMBER_WORDS.get(token)


# A clause that tells what the clause before did, with no subject of its own: ", killing 12 people",
# "and leaving five dead", and in headlines' present tense ", kill 3 civilians", ", leave 5 dead";
# also the toll it raised: "and raise the casualties", ", bringing the death toll to 30".
_CONSEQUENCE = re.compile(r"^(?:and\s+)?(?:kill(?:s|ing)?|leav(?:e|es|ing)|caus(?:e|es|ing)|claim(?:s|ing)?|"
                          r"injur(?:e|es|ing)|wound(?:s|ing)?|result(?:s|ing)?|"
                          r"(?:rais(?:e|es|ing)|bring(?:s|ing)?|push(?:es|ing)?|increas(?:e|es|ing)|tak(?:e|es|ing))"
                          r"\s+(?:the|its|their)\s+(?:[\w-]+\s+){0,2}?(?:death\s+toll|toll|casualt\w*|number|tally))\b",
                          re.IGNORECASE)


def is_consequence(clause: str) -> bool:
    """Whether a clause tells the result of the clause before it (", killing 12 people")."""
    return _CONSEQUENCE.match(clause) is not None


def result_of(index: int, clause_spans: Sequence[Span]) -> int:
    """The clause whose result clause ``index`` tells: the one before it for a consequence
    (", killing 12"), else the clause itself."""
    return index - 1 if 0 < index < len(clause_spans) and is_consequence(clause_spans[index].text) else index


# What air defences shoot down: "shot down a helicopter", "intercepted most of the missiles".
_AIRCRAFT = re.compile(r"^(?:helicopters?|warplanes?|war planes?|jets?|fighter jets?|drones?|missiles?|rockets?)$",
                       re.IGNORECASE)


def find_fatalities(text: str) -> int | None:
    found = find_fatality_count(text)
    return found[0] if found else None


def find_fatality_count(text: str) -> tuple[int, int] | None:
    """(the sentence's death count, its position): the largest count stated ("killing six
    civilians, including two children" is six), or None."""
    if lacks_words(text, _FATALITY_WORDS):
        return None
    counts = []
    for pattern in _FATALITY_RES:
        for match in pattern.finditer(text):
            value = _number(match.group("count"))
            if value is not None and value < 100_000:
                counts.append((value, match.start("count")))
    return max(counts, key=lambda c: (c[0], -c[1])) if counts else None


# A sentence about the past or the whole war, not about an event of the report: a year two or
# more years before publication (not "since 2012", which dates a current change), or a summary
# in the present perfect of a place's war ("has seen heavy fighting during the conflict").
# (Years after "since" and inside relative clauses are asides: see _YEAR_ASIDE.)
_YEAR = re.compile(r"(?<!\d)(19[0-9]{2}|20[0-9]{2})(?!\d)")
# A year after "since" dates a current change ("for the first time since 2012"); one inside a
# relative clause describes a noun ("Raqqa, which IS has held since 2014") while the main clause
# may report today's event.
_YEAR_ASIDE = re.compile(r"\b(?:since|that|which|who|whose)\b", re.IGNORECASE)
_WAR_SUMMARY = re.compile(
    r"\b(?:has|have|had)\s+(?:\w+\s+)?(?:seen|witnessed|experienced|endured)\b[^.]*?"
    r"\b(?:during|throughout|since the (?:start|beginning|outbreak) of|over the course of)\b",
    re.IGNORECASE)

_SUMMARY_WORDS = ("seen", "witnessed", "experienced", "endured")  # one is in every _WAR_SUMMARY match


def is_background(text: str, published: dt.date | None, dates: list[DateMention]) -> bool:
    """True when a sentence tells history or sums up the war rather than reporting an event:
    its places are context ("Homs was besieged in 1982"). A date near publication in the same
    sentence keeps it ("captured in 2012, shelled the town on Sunday")."""
    if published is not None and dates and any(abs((d.date - published).days) <= 31 for d in dates):
        return False
    if not lacks_words(text, _SUMMARY_WORDS) and _WAR_SUMMARY.search(text):
        return True
    if published is None or ("19" not in text and "20" not in text):
        return False  # (every _YEAR match starts with one of them: most sentences name no year)
    return any(published.year - int(m.group(1)) >= 2 and not _YEAR_ASIDE.search(text[max(0, m.start() - 60):m.start()])
               for m in _YEAR.finditer(text))


# A sentence that opens with a clause of circumstance ("After the attack in X failed, a bomber
# struck Y", "In conjunction with clashes near X, the army advanced on Y", "Amid shelling of X,
# ..."): that clause sets the scene; the report's news is the main clause after it.
_INTRO_CLAUSE = re.compile(
    r"\s*(?:(?:(?:less|more)\s+than\s+)?(?:(?:a|an|one|two|three|four|five|six|\d+|a\s+few|few|several|hours?|"
    r"days?|weeks?|months?|shortly|soon|just|only)\s+){0,3}(?:after|before|following|since)"
    r"|amid(?:st)?|as(?!\s+(?:many|much|well|of)\b)|while|whilst|with|despite|in\s+conjunction\s+with"
    r"|in\s+parallel\s+with|in\s+addition\s+to"
    r"|on\s+the\s+eve\s+of)\b",
    re.IGNORECASE)
_INTRO_END = re.compile(r",|…|\.\.\.|;|\s[-–—]\s")


def intro_clause_end(sentence: str, trigger_offsets: Iterable[int] = ()) -> int | None:
    """Where an opening clause of circumstance ends in a sentence, or None when the sentence opens
    with its main clause. It ends at its first comma, ellipsis, semicolon or dash; a list within
    it ("After clashes in A, B and C, the army shelled D") runs on to the last of those marks
    before the main clause's first trigger (``trigger_offsets``: the sentence's triggers, as
    offsets in it)."""
    opening = _INTRO_CLAUSE.match(sentence)
    if opening is None:
        return None
    first = _INTRO_END.search(sentence, opening.end())
    if first is None:
        return None
    main_trigger = min((o for o in trigger_offsets if o >= first.end()), default=None)
    if main_trigger is None:
        return first.start()
    return max(m.start() for m in _INTRO_END.finditer(sentence, first.start(), main_trigger))


def is_passive(text_between: str) -> bool:
    return bool(_PASSIVE.search(text_between))


@dataclass(slots=True)
class PlaceSlot:
    """A usable location in a sentence: a resolved place, or an unresolved name with a fallback."""

    key: str  # merge key: place id, or "unresolved:<name>"
    start: int
    end: int
    surface: str
    clause: int
    location: str
    latitude: float
    longitude: float
    country: str
    admin1: str
    admin1_code: str
    geo_precision: int
    place_id: str
    match_score: float
    resolved: bool
    admin2: str = ""
    location_detail: str = ""  # sub-place within the place: "Sheikh Maqsoud neighbourhood"


@dataclass(slots=True)
class Draft:
    """An event before merging."""

    key: tuple
    trigger: Trigger
    slot: PlaceSlot
    sentence: Span
    sentence_index: int
    date: DateMention | None
    date_inherited: bool
    actor1: str
    actor2: str
    fatalities: int | None
    confidence: float
    deadly: bool = False


_GOVERNMENT_ONLY = re.compile(r"barrel|helicopter", re.IGNORECASE)
_DISPERSED = re.compile(r"dispers|fired on|shot at|tear gas|live ammunition", re.IGNORECASE)
_FIRED_ON = re.compile(r"fired on|shot|live ammunition|killed", re.IGNORECASE)


@lru_cache(maxsize=1)
def names_civilians(sentence_text: str) -> bool:
    """Whether a sentence names civilian victims (asked for each of its triggers, one after
    another: only the last sentence's answer is kept, so no text is answered from another's)."""
    return next(CIVILIAN_RE.finditer(sentence_text), None) is not None


@lru_cache(maxsize=1024)
def is_generic(trigger_text: str) -> bool:
    return GENERIC_ATTACK_WORDS.match(trigger_text) is not None


@lru_cache(maxsize=1024)
def _is_weak(trigger_text: str) -> bool:
    return WEAK_TRIGGERS.match(trigger_text) is not None


_BETWEEN = re.compile(r"\bbetween\s+(?:the\s+)?$", re.IGNORECASE)
_AND = re.compile(r"\s*(?:,\s*)?(?:and|&)\s+(?:the\s+)?", re.IGNORECASE)


def _between_pair(armed: list[ActorHit], text: str, start: int) -> tuple[str, str] | None:
    """(A, B) for "between A and B" in the sentence, A and B armed actors."""
    for a, b in zip(armed, armed[1:]):
        if a.name != b.name and _AND.fullmatch(text, a.end - start, b.start - start) \
                and _BETWEEN.search(text[max(0, a.start - start - 20): a.start - start]):
            return a.name, b.name
    return None


class LazyCounts:
    """``Counter(names).most_common()``, counted when first asked: only a battle missing a side
    asks for its paragraph's actors."""

    __slots__ = ("_common", "_names")

    def __init__(self, names: list[str]) -> None:
        self._names = names
        self._common: list[tuple[str, int]] | None = None

    def most_common(self) -> list[tuple[str, int]]:
        if self._common is None:
            self._common = Counter(self._names).most_common()
        return self._common


def fatality_trigger(pairs: list, dead_key: str | None, count_clauses: tuple[int, int], clause_of) -> TriggerHit | None:
    """The trigger of the count's place that the deaths are told of: a violent one (not "a
    truce collapsed"), a specific one ("shelling", not "killed") first, then the count's clause's."""
    violent = [t for t, s, _ in pairs if s.key == dead_key and t.trigger.event_type != "Strategic developments"]
    ranked = sorted(violent, key=lambda t: (is_generic(t.text), clause_of(t.start) not in count_clauses))
    return ranked[0] if ranked else None

def fatality_slot(pairs: list, count_clauses: tuple[int, int], clause_of) -> str | None:
    """The place a sentence's death count belongs to: the place of the count's clause, else of
    the clause it tells the result of (", killing 12"), else the place of a trigger in either,
    else the sentence's first pair."""
    for clause in count_clauses:
        for _, slot, _ in pairs:
            if slot.clause == clause:
                return slot.key
    for clause in count_clauses:
        for trig, slot, _ in pairs:
            if clause_of(trig.start) == clause:
                return slot.key
    return pairs[0][1].key if pairs else None


# Between a passive verb and its agent: "was killed by a regime sniper", "died at the hands of IS".
_BY_AGENT = re.compile(r"\s+(?:[\w-]+\s+){0,3}?(?:by|at\s+the\s+hands\s+of)\s+(?:(?:a|an|the)\s+)?", re.IGNORECASE)


def choose_actors(
    trigger: TriggerHit,
    actors: list[ActorHit],
    sentence_text_from: str,
    context_actors: Counter | LazyCounts,
    *,
    sentence_start: int,
) -> tuple[str, str, str, bool]:
    """(actor1, actor2, actor1 as written, filled) for a trigger, from the actors of its sentence.

    actor1 is the nearest armed actor before the trigger (the subject), actor2 the nearest one
    after it; in the passive ("ISIL was pushed out"), the subject is actor2. Civilians are only
    ever actor2, and only for violence against civilians. A missing side of a battle is filled
    with the most frequent other armed actor of the context (the paragraph); the sub-type is
    decided on the actor as written, never on a filled one.
    """
    armed = [a for a in actors if a.kind != "civilians"]
    # (an actor the trigger spells out, "Israeli strikes", is its subject like one before it)
    before = [a for a in armed if a.end <= trigger.start or (a.start >= trigger.start and a.end <= trigger.end)]
    after = [a for a in armed if a.start >= trigger.end]
    actor1 = before[-1].name if before else ""
    actor2 = next((a.name for a in after if a.name != actor1), "")
    passive = False
    if before:
        between = sentence_text_from[before[-1].end - sentence_start : trigger.end - sentence_start]
        if is_passive(between):
            actor1, actor2, passive = actor2, before[-1].name, True
    if after and _BY_AGENT.fullmatch(sentence_text_from, trigger.end - sentence_start, after[0].start - sentence_start):
        # "a fighter was killed by a regime sniper": the agent is actor1, whatever came before
        actor1, passive = after[0].name, True
        actor2 = before[-1].name if before and before[-1].name != actor1 else ""
    if not actor1 and actor2 and not passive and trigger.trigger.event_type != "Violence against civilians":
        actor1, actor2 = actor2, ""
    etype = trigger.trigger.event_type
    if etype == "Violence against civilians" and trigger.trigger.sub_event_type != "Abduction/forced disappearance":
        if not actor2 and any(a.kind == "civilians" for a in actors):
            actor2 = CIVILIANS
    if etype == "Violence against civilians" and not actor2:
        actor2 = CIVILIANS if names_civilians(sentence_text_from) else actor2
    if etype == "Explosions/Remote violence" and not actor2 and any(
        a.kind == "civilians" and a.start >= trigger.end for a in actors
    ):
        actor2 = CIVILIANS  # "airstrikes killed 12 civilians": the victims are the other side
    if not actor1 and _GOVERNMENT_ONLY.search(trigger.text):
        actor1 = GOVERNMENT  # only the government flies helicopters and drops barrel bombs
    pair = _between_pair(armed, sentence_text_from, sentence_start) if len(armed) > 1 and not lacks_words(
        sentence_text_from, ("between",)) else None
    if pair is not None:
        actor1, actor2 = pair  # "clashes between A and B": the sides, in the order written
    written1 = actor1
    filled = False
    if etype == "Battles" and (not actor1 or not actor2):
        for name, _count in context_actors.most_common():
            if actor1 and actor2:
                break
            if name in (actor1, actor2) or ACTOR_KIND.get(name) == "civilians":
                continue
            if not actor1:
                actor1 = name
            else:
                actor2 = name
            filled = True
    return actor1, actor2, written1, filled


def refine_sub_type(trigger: Trigger, actor1: str, sentence_text: str) -> tuple[str, str]:
    """ACLED type and sub-type for a trigger given its actors and sentence."""
    etype, sub = trigger.event_type, trigger.sub_event_type
    if sub == "Non-state actor overtakes territory" and ACTOR_KIND.get(actor1) == "state":
        sub = "Government regains territory"
    if sub == "Government regains territory" and actor1 and ACTOR_KIND.get(actor1) != "state":
        sub = "Non-state actor overtakes territory"
    if etype == "Violence against civilians" and sub == "Attack" and not names_civilians(sentence_text):
        # Killing fighters or commanders is fighting, not violence against civilians.
        etype, sub = "Battles", "Armed clash"
    if sub == "Peaceful protest" and _DISPERSED.search(sentence_text):
        sub = "Excessive force against protesters" if _FIRED_ON.search(sentence_text) else "Protest with intervention"
    return etype, sub


# A clause opened by these tells how the one before happened, at the same time: "two were killed
# when a shell hit their house", "shells hit the town as two children were killed". ("After"
# tells what came before, often another incident: "clashes began after gunmen killed a doctor".)
_CAUSE_LINK = re.compile(r"(?:when|as)\b", re.IGNORECASE)


def _linked_to_specific(index: int, specific: set[int], clause_spans: list[Span], named: set[int]) -> bool:
    """Whether clause ``index`` and a neighbour with a specific trigger are one incident told in
    two clauses joined by when/as (unless both name a place: two places, two events)."""
    for other, opener in ((index + 1, index + 1), (index - 1, index)):
        if other in specific and 0 <= opener < len(clause_spans) and _CAUSE_LINK.match(clause_spans[opener].text) \
                and not (index in named and other in named):
            return True
    return False


# What a protest is against: "to denounce the arrests", "protesting against the shelling".
_PROTEST_TOPIC_BEFORE = re.compile(
    r"\b(?:against|over|denounc\w*|condemn\w*|protest\w*|demand\w*|decr(?:y|ied|ying))\s+"
    r"(?:(?:the|a|recent|their|his|her|continued|ongoing|last\s+week's|regime)\s+){0,3}$", re.IGNORECASE)


def drop_explained(triggers: list[TriggerHit], clause_of, clause_spans: list[Span],
                   names: Sequence[tuple[int, int]] = (), actors: Sequence[ActorHit] = ()) -> list[TriggerHit]:
    """Drop trigger words that another trigger explains, or that are too weak alone.

    - A generic word ("killed", "casualties") goes when a specific trigger shares its clause
      ("warplanes kill 5"), when its clause is a consequence (", killing 12 people") of a
      specific trigger elsewhere in the sentence, when the two clauses are joined by when/as
      ("two were killed when a shell hit their house"), or when its clause names neither a place
      nor a doer ("10 people were killed and dozens wounded in a suicide bombing in X";
      ``names``, ``actors``: the sentence's place spans and actors).
      "accused them of killing a doctor" stays.
    - A weak word ("deal", "control of") goes when it is the clause's only trigger.
    - An aircraft noun goes when the clause says the aircraft was shot down or intercepted;
      "raids" go when the sentence tells of arrests (raids on homes, not from the air).
    - In a sentence about a protest, what it is against is no event there ("to denounce the arrests").
    """
    arrests = protest = False
    by_clause: dict[int, list[TriggerHit]] = {}
    for t in triggers:
        by_clause.setdefault(clause_of(t.start), []).append(t)
        arrests = arrests or t.trigger.sub_event_type == "Arrests"
        protest = protest or t.trigger.event_type == "Protests"
    sentence_specific = any(not is_generic(t.text) and not _is_weak(t.text) for t in triggers)
    context: list[set[int]] = []  # the clauses with a specific trigger, a place, an armed actor: asked rarely

    def linked(index: int) -> bool:
        if not context:
            context.extend(({i for i, ts in by_clause.items()
                             if any(not is_generic(t.text) and not _is_weak(t.text) for t in ts)},
                            {clause_of(start) for start, _ in names},
                            {clause_of(a.start) for a in actors if a.kind != "civilians"}))
        specific_clauses, named, doers = context
        return _linked_to_specific(index, specific_clauses, clause_spans, named) or (
            index not in named and index not in doers)
    kept = []
    for index, clause_triggers in by_clause.items():
        specific = [t for t in clause_triggers if not is_generic(t.text) and not _is_weak(t.text)]
        # (Whether the clause is a consequence is asked only where it decides: a generic word in
        # a clause with no specific trigger, in a sentence with one.)
        consequence = None
        disrupted = any(t.trigger.sub_event_type == "Disrupted weapons use" for t in clause_triggers)
        for t in clause_triggers:
            generic = is_generic(t.text)
            if generic and not specific and sentence_specific and consequence is None:
                consequence = index < len(clause_spans) and is_consequence(clause_spans[index].text) or linked(index)
            if generic and (specific or (consequence and sentence_specific)):
                continue
            if not generic and _is_weak(t.text) and len(clause_triggers) == 1:
                continue
            if disrupted and _AIRCRAFT.match(t.text):
                continue
            if arrests and t.trigger.sub_event_type == "Air/drone strike" and t.text.lower().startswith("raid"):
                continue
            if protest and t.trigger.event_type != "Protests" and index < len(clause_spans) and \
                    _PROTEST_TOPIC_BEFORE.search(clause_spans[index].text, 0, t.start - clause_spans[index].start):
                continue
            kept.append(t)
    return kept


VAGUE_DAYS = 7  # ACLED's time_precision 2: within a week


def said_vaguely(event: Event, events: Sequence[Event], published: dt.date | None = None) -> bool:
    """Whether an event is one of the report's events said vaguely: at the governorate, "Idlib
    countryside" beside "Binnish" (Idlib) on the same day (a headline's "car bomb" is the body's
    "blast in X"), or a headline's "9 killed in Idlib shelling", its day not stated, beside the
    body's shelling of a village of Idlib that week; at a place, a headline's "Israeli strikes hit
    X" with no day beside the body's strikes on X on Monday (``published`` given for a headline's
    events only)."""
    if event.geo_precision < 3:
        return event.event_date == published and event.time_precision == 2 and any(
            other.place_id == event.place_id and other.event_type == event.event_type and other.time_precision == 1
            and other.event_date is not None and 0 < (event.event_date - other.event_date).days <= VAGUE_DAYS
            for other in events)
    for other in events:
        if other.geo_precision < 3 and other.admin1 == event.admin1:
            if other.event_date == event.event_date:
                return True
            if event.time_precision == 2 and other.event_type == event.event_type and None not in (
                    event.event_date, other.event_date) and 0 <= (event.event_date - other.event_date).days <= VAGUE_DAYS:
                return True
    return False

