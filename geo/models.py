"""Typed value objects passed between the pipeline's stages, the store and the exports.

Coordinates are ``(latitude, longitude)`` everywhere in the code; the only place that
writes ``[lon, lat]`` is :func:`geojson_position`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from geo.errors import ValidationError

# ACLED's event types and their sub-event types (ACLED Codebook 2023).
EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": (
        "Sexual violence",
        "Attack",
        "Abduction/forced disappearance",
    ),
    "Protests": (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}

# Feature kinds of gazetteer entries, most general first.
PLACE_KINDS: tuple[str, ...] = ("country", "admin1", "admin2", "populated_place")

# ACLED geo_precision: 1 the named town, 2 near a town / part of a region, 3 region or larger.
GEO_PRECISIONS: tuple[int, ...] = (1, 2, 3)
# ACLED time_precision: 1 the day, 2 within a week, 3 within a month. Undated events have
# ``event_date`` None and ``time_precision`` None.
TIME_PRECISIONS: tuple[int, ...] = (1, 2, 3)

# The 14 governorates of Syria: English short name -> ISO 3166-2 code.
SYRIA_GOVERNORATES: dict[str, str] = {
    "Aleppo": "SY-HL",
    "Idlib": "SY-ID",
    "Hama": "SY-HM",
    "Homs": "SY-HI",
    "Raqqa": "SY-RA",
    "Deir ez-Zor": "SY-DY",
    "Hasakah": "SY-HA",
    "Latakia": "SY-LA",
    "Tartus": "SY-TA",
    "Damascus": "SY-DI",
    "Rural Damascus": "SY-RD",
    "Daraa": "SY-DR",
    "Suwayda": "SY-SU",
    "Quneitra": "SY-QU",
}


def check_latlon(latitude: float, longitude: float) -> None:
    """Raise ValidationError unless (latitude, longitude) is a point on Earth."""
    if not (-90.0 <= float(latitude) <= 90.0):
        raise ValidationError(f"latitude {latitude} is outside [-90, 90]")
    if not (-180.0 <= float(longitude) <= 180.0):
        raise ValidationError(f"longitude {longitude} is outside [-180, 180]")


def geojson_position(latitude: float, longitude: float) -> list[float]:
    """The one place where (lat, lon) becomes GeoJSON's [lon, lat] (RFC 7946 section 3.1.1)."""
    return [float(longitude), float(latitude)]


def stable_id(*parts: object, length: int = 16) -> str:
    """A short, deterministic id from the parts (same input, same id, across runs and machines)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode("utf-8"))
    # (The first ``length`` hex digits are those of the first bytes: no 64-digit string made.)
    return digest.digest()[:(length + 1) // 2].hex()[:length]


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry: a populated place, an admin unit or a country."""

    place_id: str
    name: str
    kind: str
    country_code: str
    latitude: float
    longitude: float
    admin1: str | None = None  # English short name (for Syria, one of the 14)
    admin1_code: str | None = None  # ISO 3166-2
    admin2: str | None = None
    population: int = 0
    feature_code: str = ""
    alt_names: tuple[str, ...] = ()
    source: str = ""

    def __post_init__(self) -> None:
        if not self.place_id:
            raise ValidationError("place_id must not be empty")
        if not self.name:
            raise ValidationError(f"place {self.place_id} has no name")
        if self.kind not in PLACE_KINDS:
            raise ValidationError(f"place {self.place_id}: unknown kind {self.kind!r}")
        check_latlon(self.latitude, self.longitude)
        if self.population < 0:
            raise ValidationError(f"place {self.place_id}: negative population")

    @property
    def point(self) -> tuple[float, float]:
        return (self.latitude, self.longitude)


@dataclass(frozen=True, slots=True)
class Article:
    """A source text and its metadata. ``article_id`` is stable for the same source."""

    article_id: str
    text: str
    title: str = ""
    source: str = ""
    url: str = ""
    published: dt.date | None = None
    ingested_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        if not self.article_id:
            raise ValidationError("article_id must not be empty")
        if not isinstance(self.text, str):
            raise ValidationError("article text must be a str")

    @property
    def content_hash(self) -> str:
        """Fingerprint of what the store holds of the article: the text and the publication date
        (what changes its events) and the title, source and url (a change to those must reach the
        store too, without new events)."""
        return stable_id(self.text, self.published, self.title, self.source, self.url, length=32)

    @property
    def fingerprint(self) -> str:
        """Fingerprint of the article's content alone (text and publication date, no metadata):
        what makes an article without an id or url of its own the same article, however it
        was reached (another path, another folder, a copy)."""
        return content_fingerprint(self.text, self.published)


def content_fingerprint(text: str, published: dt.date | None) -> str:
    """:attr:`Article.fingerprint` from its parts (stores backfill it for rows written before)."""
    return stable_id(text, published, length=32)


@dataclass(frozen=True, slots=True)
class Event:
    """One event, ACLED-compatible, with its provenance. The schema of store, map and exports."""

    event_id: str
    event_date: dt.date | None
    time_precision: int | None
    event_type: str
    sub_event_type: str
    actor1: str
    actor2: str
    country: str
    admin1: str
    admin1_code: str
    location: str
    latitude: float
    longitude: float
    geo_precision: int
    fatalities: int | None
    notes: str
    article_id: str
    source: str = ""
    sentence_start: int | None = None
    sentence_end: int | None = None
    place_start: int | None = None
    place_end: int | None = None
    place_id: str = ""
    confidence: float = 0.5
    # Schema version 2 (older stores get these columns, with these defaults, when opened).
    admin2: str = ""  # district
    location_detail: str = ""  # sub-place: neighbourhood, camp, base...
    interaction: int | None = None  # ACLED interaction code (e.g. 12, 28)
    source_ref: str = ""  # provenance of an imported row, e.g. "ucdp:123456", "acled:SYR1234"
    reviewed: bool = False  # an analyst edited or accepted it: the extractor never overwrites it

    def __post_init__(self) -> None:
        if not self.event_id:
            raise ValidationError("event_id must not be empty")
        if self.event_type not in EVENT_TYPES:
            raise ValidationError(f"unknown event_type {self.event_type!r}")
        if self.sub_event_type not in EVENT_TYPES[self.event_type]:
            raise ValidationError(
                f"sub_event_type {self.sub_event_type!r} is not a sub-type of {self.event_type!r}"
            )
        check_latlon(self.latitude, self.longitude)
        if self.geo_precision not in GEO_PRECISIONS:
            raise ValidationError(f"geo_precision must be 1, 2 or 3, not {self.geo_precision!r}")
        if self.event_date is None:
            if self.time_precision is not None:
                raise ValidationError("an undated event has time_precision None")
        elif self.time_precision not in TIME_PRECISIONS:
            raise ValidationError(f"time_precision must be 1, 2 or 3, not {self.time_precision!r}")
        if self.fatalities is not None and self.fatalities < 0:
            raise ValidationError("fatalities must not be negative")
        if not (0.0 <= self.confidence <= 1.0):
            raise ValidationError(f"confidence {self.confidence} is outside [0, 1]")
        if self.interaction is not None and not (0 <= self.interaction <= 99):
            raise ValidationError(f"interaction {self.interaction!r} is not an ACLED interaction code (0-99)")

    def to_record(self) -> dict[str, Any]:
        """Plain dict of the fields (dates stay ``datetime.date``)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Event:
        from geo.dates import parse_date  # the one parser of outside date values

        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in record.items() if k in names}
        if "event_date" in values and not type(values["event_date"]) is dt.date:
            values["event_date"] = parse_date(values["event_date"], what="event_date")
        if "reviewed" in values:  # SQLite keeps booleans as 0/1
            values["reviewed"] = bool(values["reviewed"])
        return cls(**values)


EVENT_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Event))
# The slots' setters, in field order (see event_from_values).
_EVENT_SETTERS = tuple(getattr(Event, name).__set__ for name in EVENT_FIELDS)


def event_from_values(*values: Any) -> Event:
    """``Event(*values)``: every field, in EVENT_FIELDS order, checked as the constructor checks
    them. The slots are set directly, without the keyword binding and the frozen class's
    per-field ``object.__setattr__`` of the generated ``__init__`` (half its cost): for the
    extractor, which makes events by the thousand."""
    if len(values) != len(_EVENT_SETTERS):
        raise TypeError(f"an event has {len(_EVENT_SETTERS)} fields, not {len(values)}")
    event = object.__new__(Event)
    for set_field, value in zip(_EVENT_SETTERS, values):
        set_field(event, value)
    event.__post_init__()
    return event


@dataclass(frozen=True, slots=True)
class Column:
    """How one Event field is stored, framed and exported.

    ``kind``: "text", "int", "real", "date" or "bool"; ``nullable``: None is a value (else the
    column is NOT NULL); ``default``: the SQL default of columns added to existing stores;
    ``since``: the schema version that added the column (1 = the first)."""

    name: str
    kind: str
    nullable: bool = False
    default: object = None
    since: int = 1


def _column(f: dataclasses.Field[Any]) -> Column:
    kinds = {"str": "text", "int": "int", "int | None": "int", "float": "real", "bool": "bool",
             "dt.date | None": "date"}
    kind = kinds[str(f.type)]
    nullable = "None" in str(f.type)
    default = None if f.default is dataclasses.MISSING else f.default
    return Column(f.name, kind, nullable, default, 2 if f.name in _SINCE_V2 else 1)


_SINCE_V2 = frozenset({"admin2", "location_detail", "interaction", "source_ref", "reviewed"})
# THE column table: DDL of both stores, the query frames and the exports derive from it.
EVENT_SCHEMA: tuple[Column, ...] = tuple(_column(f) for f in dataclasses.fields(Event))
EVENT_COLUMNS: dict[str, Column] = {c.name: c for c in EVENT_SCHEMA}


@dataclass(frozen=True, slots=True)
class Mention:
    """A place name found in the text (resolved to a Place, or not)."""

    text: str  # the surface form, as written
    start: int
    end: int
    place: Place | None = None
    kind_hint: str | None = None  # "admin1" for "the province of X", "populated_place" for "the town of X"
    cue: str = ""  # the cue pattern that found it, "" for a gazetteer match
    score: float = 1.0

    @property
    def resolved(self) -> bool:
        return self.place is not None


@dataclass(frozen=True, slots=True)
class ExtractionResult:
    """What the pipeline returns for one article."""

    article_id: str
    events: tuple[Event, ...] = ()
    unresolved: tuple[Mention, ...] = ()
    mentions: tuple[Mention, ...] = field(default=())


# ---------------------------------------------------------------------------------------
# Review and editing (the store's history)
# ---------------------------------------------------------------------------------------

# What a recorded change did to one event.
# edit/delete/merge: an analyst's action on a stored event; reject: an analyst's "no" to an
# extracted event in review (removed if it was stored; undoing it stores it after all);
# add/remove/update: replace_article (a stored preview, a re-extraction); undo: the reversal of an
# earlier group.
CHANGE_ACTIONS: tuple[str, ...] = ("edit", "delete", "merge", "reject", "add", "remove", "update", "undo")
# The actions that take an event out by an analyst's decision: a re-extraction never brings it
# back (until the change is undone).
ANALYST_REMOVALS: tuple[str, ...] = ("delete", "merge", "reject")


@dataclass(frozen=True, slots=True)
class Change:
    """One event's part of a recorded change (``EventStore.history``).

    ``group_id`` ties together the rows of one user action (a merge, a multi-delete, a
    replace): undo works on the whole group. ``before``/``after`` are the event's field
    records (JSON-safe: dates as ISO strings), None when the event did not exist on that side.
    ``undone_by`` is the change_id of the undo that reverted it, if any."""

    change_id: int
    group_id: int
    changed_at: dt.datetime
    action: str
    event_id: str
    article_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str = ""
    undone_by: int | None = None

    @property
    def changed_fields(self) -> tuple[str, ...]:
        """Fields whose value differs between before and after (all of one side if the other is None)."""
        if self.before is None or self.after is None:
            return tuple((self.before or self.after or {}).keys())
        return tuple(k for k in self.after if self.before.get(k) != self.after[k])


@dataclass(frozen=True, slots=True)
class ReplacePlan:
    """What replacing an article's events would do (``EventStore.plan_replace``), by event_id.

    ``add``: new events; ``remove``: stored events that would go; ``update``: same id, other
    values; ``keep``: identical; ``protected``: reviewed events that stay whatever the new
    extraction says; ``suppressed``: new events an analyst deleted or rejected before (not
    re-added); ``rejected``: events the analyst rejects now, in review (not stored; removed, and
    listed in ``remove`` too, where they were stored)."""

    article_id: str
    add: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    update: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()
    protected: tuple[str, ...] = ()
    suppressed: tuple[str, ...] = ()
    rejected: tuple[str, ...] = ()

    @property
    def destructive(self) -> bool:
        """True when stored events would be removed or changed (ask the user first)."""
        return bool(self.remove or self.update)

    def describe(self) -> str:
        parts = [f"adds {len(self.add)}", f"removes {len(self.remove)}", f"updates {len(self.update)}",
                 f"keeps {len(self.keep)}"]
        text = ", ".join(parts) + " events"
        if self.protected:
            text += f"; {len(self.protected)} reviewed events are kept as they are"
        if self.rejected:
            text += f"; {len(self.rejected)} events you rejected are left out"
        if self.suppressed:
            text += f"; {len(self.suppressed)} events deleted or rejected by an analyst are not re-added"
        return text
