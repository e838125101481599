"""The store's interface and its value types: what ingest, exports, CLI and dashboard code against.

:class:`EventStore` is the interface; :class:`geo.store.core.SqlEventStore` implements it once
over SQL, and the GeoPackage (``gpkg``) and PostGIS (``postgis``) modules supply the dialects.
"""

from __future__ import annotations

import abc
import datetime as dt
import enum
import operator
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from geo.dates import parse_date
from geo.errors import ValidationError
from geo.models import Article, Change, Event, ReplacePlan

if TYPE_CHECKING:
    import geopandas as gpd

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STORE_PATH = PROJECT_ROOT / "data" / "events.gpkg"
STORE_ENV_VAR = "GEO_STORE"
# Rows per insert call: large enough to amortise the Python->database overhead, small
# enough that a streamed import never holds a whole dataset in memory.
INSERT_CHUNK = 5_000
# The largest row limit a query takes (SQLite's and PostgreSQL's bigint).
MAX_LIMIT = 2**63 - 1


# ---------------------------------------------------------------------------------------
# Location
# ---------------------------------------------------------------------------------------


def resolve_store_location(cli_value: str | None = None) -> str:
    """Where the store lives: ``--store`` value, else ``$GEO_STORE``, else data/events.gpkg."""
    if cli_value:
        return str(cli_value)
    env_value = os.environ.get(STORE_ENV_VAR, "").strip()
    if env_value:
        return env_value
    return str(DEFAULT_STORE_PATH)


def is_server_location(location: str) -> bool:
    return location.startswith(("postgresql://", "postgres://", "postgresql+"))




def parse_timestamp(value: object) -> dt.datetime | None:
    """A stored timestamp (SQLite: ISO text with Z; PostgreSQL: a datetime) as an aware UTC datetime."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is None else value.astimezone(dt.UTC)
    try:
        return dt.datetime.fromisoformat(str(value))  # Python 3.11+ reads the trailing Z
    except ValueError:
        return None


def utc_ms(value: dt.datetime | None = None) -> dt.datetime:
    """UTC, to the millisecond (what both stores keep, so copies compare equal)."""
    value = value or dt.datetime.now(dt.UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    value = value.astimezone(dt.UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


# ---------------------------------------------------------------------------------------
# Filter, outcome, interface
# ---------------------------------------------------------------------------------------


def _as_tuple(value: Any) -> tuple[str, ...]:
    # A bare string would otherwise be iterated character by character.
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else ()
    return tuple(str(v) for v in value)


@dataclass(frozen=True)
class EventFilter:
    """Which events a query, count, summary or export covers. The default covers all.

    ``date_from``/``date_to`` are inclusive; undated events pass a date range only when
    ``include_undated``. Tuple fields are OR-ed within themselves and AND-ed with the rest;
    an empty tuple means "any". ``actors`` match ``actor1`` or ``actor2`` exactly; ``text``
    is a case-insensitive substring over notes, location, actor1 and actor2. ``bbox`` is
    ``(min_lat, min_lon, max_lat, max_lon)``.
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    include_undated: bool = True
    admin1: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    sub_event_types: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    text: str = ""
    bbox: tuple[float, float, float, float] | None = None
    max_geo_precision: int = 3
    article_id: str | None = None
    limit: int | None = None

    def __post_init__(self) -> None:
        # Frozen: normalise through object.__setattr__ so lists and strings are accepted.
        set_ = object.__setattr__
        set_(self, "date_from", parse_date(self.date_from, what="date_from"))
        set_(self, "date_to", parse_date(self.date_to, what="date_to"))
        for name in ("admin1", "event_types", "sub_event_types", "actors"):
            set_(self, name, _as_tuple(getattr(self, name)))
        set_(self, "text", (self.text or "").strip())
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValidationError(f"date_from {self.date_from} is after date_to {self.date_to}")
        if self.bbox is not None:
            if len(self.bbox) != 4:
                raise ValidationError("bbox needs four numbers: min_lat, min_lon, max_lat, max_lon")
            bbox = tuple(float(v) for v in self.bbox)
            if bbox[0] > bbox[2] or bbox[1] > bbox[3]:
                raise ValidationError(
                    f"bbox {bbox} is not (min_lat, min_lon, max_lat, max_lon) with min <= max"
                )
            set_(self, "bbox", bbox)
        if self.max_geo_precision not in (1, 2, 3):
            raise ValidationError("max_geo_precision must be 1, 2 or 3")
        if self.limit is not None:
            try:
                limit = operator.index(self.limit)  # int, numpy ints; not 1e23, "10" or True
            except TypeError:
                raise ValidationError(f"limit must be a whole number, not {self.limit!r}") from None
            if isinstance(self.limit, bool) or limit < 0 or limit > MAX_LIMIT:
                raise ValidationError(f"limit must be a whole number from 0 to {MAX_LIMIT}, not {self.limit!r} "
                                      "(negative numbers are not allowed)")
            set_(self, "limit", limit)


ALL_EVENTS = EventFilter()  # the default filter (frozen, so one shared instance is safe)


class IngestOutcome(enum.StrEnum):
    """What writing one article did. Compares equal to the plain strings."""

    ADDED = "added"
    UNCHANGED = "unchanged"
    REPLACED = "replaced"


@dataclass(frozen=True)
class StoreInfo:
    location: str
    articles: int
    events: int
    undated: int
    date_span: tuple[dt.date, dt.date] | None
    size_bytes: int | None = None


class EventStore(abc.ABC):
    """The store interface the ingest, the exports, the CLI and the dashboard code against.

    ``query`` returns a GeoDataFrame in EPSG:4326 with the columns ``EVENT_FIELDS`` then
    ``geometry`` (points built from latitude/longitude); ``event_date`` holds
    ``datetime.date`` objects (None when undated); nullable integers (time_precision,
    fatalities, offsets) use pandas' ``Int64``; geo_precision is int64; latitude,
    longitude, confidence float64; text columns ``object`` dtype holding ``str``. Rows
    come most recent first, undated last, ties by ``event_id``.
    """

    location: str

    @abc.abstractmethod
    def add_article(self, article: Article, events: Iterable[Event]) -> IngestOutcome:
        """Store the article and its events in one transaction.

        Same ``article_id`` and ``content_hash`` as stored: nothing is written, UNCHANGED
        (``events`` is not even iterated). Same id, different hash: the article's own
        events are replaced, REPLACED. ``events`` may be a lazy iterable (streamed imports);
        if iterating it raises, the transaction rolls back and the exception propagates.
        """

    def add_events(self, events: Iterable[Event], *, article: Article) -> IngestOutcome:
        """Dataset imports (ACLED, UCDP): one file is one article; same semantics."""
        return self.add_article(article, events)

    @abc.abstractmethod
    def query(self, flt: EventFilter = ALL_EVENTS) -> gpd.GeoDataFrame: ...

    @abc.abstractmethod
    def count(self, flt: EventFilter = ALL_EVENTS) -> int: ...

    @abc.abstractmethod
    def summary(self, flt: EventFilter = ALL_EVENTS) -> dict[str, Any]:
        """Aggregates for the dashboard, without fetching rows.

        Keys: ``total`` (int), ``fatalities`` (int, sum of known), ``undated`` (int),
        ``by_admin1`` / ``by_event_type`` (dict name -> count, largest first),
        ``by_date`` (dict ISO day -> count, ascending, dated events only).
        ``limit`` in the filter is ignored.
        """

    @abc.abstractmethod
    def point_counts(self, flt: EventFilter = ALL_EVENTS) -> list[dict[str, Any]]:
        """Events per (location, admin1, event_type, geo_precision) at the mean position of
        those events, for map markers at scale. Keys: latitude, longitude, event_type,
        geo_precision, admin1, location, n (geo.webmap.layers.AGGREGATE_COLUMNS). Largest first."""

    @abc.abstractmethod
    def day_type_counts(self, flt: EventFilter = ALL_EVENTS) -> list[dict[str, Any]]:
        """Dated events per (day, event_type): keys event_date (ISO str), event_type, n and
        fatalities (sum of the known); by day, then type (the time charts at any size)."""

    @abc.abstractmethod
    def query_columns(self, flt: EventFilter, columns: Sequence[str]) -> list[tuple[Any, ...]]:
        """Matching rows with only ``columns`` (EVENT_FIELDS names), in query order."""

    @abc.abstractmethod
    def date_span(self) -> tuple[dt.date, dt.date] | None: ...

    @abc.abstractmethod
    def actors(self) -> list[str]:
        """Distinct non-empty actor1/actor2 values, sorted."""

    @abc.abstractmethod
    def get_article(self, article_id: str) -> Article | None: ...

    @abc.abstractmethod
    def articles(self) -> list[Article]:
        """Every stored article, by article_id, *without* text (``text`` is "")."""

    @abc.abstractmethod
    def find_article_by_fingerprint(self, fingerprint: str) -> Article | None:
        """A stored article whose ``Article.fingerprint`` (text + publication date, not
        metadata) is ``fingerprint``, the first stored if several; None if none. Lets the
        ingest recognise an article without an id or url of its own reached another way."""

    @abc.abstractmethod
    def article_content_hash(self, article_id: str) -> str | None:
        """The stored content_hash of an article (None if not stored): lets the ingest skip
        extraction for inputs that did not change."""

    @abc.abstractmethod
    def article_event_counts(self) -> dict[str, tuple[int, int]]:
        """article_id -> (event_count recorded with the article, events actually stored)."""

    @abc.abstractmethod
    def delete_article(self, article_id: str) -> int:
        """Delete an article and its events in one transaction; the number of events deleted."""

    @abc.abstractmethod
    def info(self) -> StoreInfo: ...

    # -- review and editing (issue 13): every change recorded, undoable -----------------

    @abc.abstractmethod
    def get_event(self, event_id: str) -> Event | None: ...

    @abc.abstractmethod
    def update_event(self, event_id: str, changes: dict[str, object], *, note: str = "") -> Event:
        """Change fields of a stored event (validated through Event); marks it reviewed and
        records the change. ``event_id`` and ``article_id`` cannot change. Returns the new event."""

    @abc.abstractmethod
    def delete_events(self, event_ids: Iterable[str], *, note: str = "") -> int:
        """Delete events (one undoable change); the number deleted (unknown ids are ignored)."""

    @abc.abstractmethod
    def merge_events(self, keep_id: str, other_ids: Iterable[str], *, note: str = "") -> Event:
        """Keep ``keep_id`` (reviewed; fatalities the largest known of the group), delete the others."""

    @abc.abstractmethod
    def history(self, *, event_id: str | None = None, limit: int = 100) -> list[Change]:
        """Recorded changes, newest first (of one event, or of all)."""

    @abc.abstractmethod
    def undo(self, change_id: int | None = None) -> Change:
        """Undo the last change not yet undone, or the change ``change_id`` (with the rest of
        its group); returns the change recorded for the undo."""

    @abc.abstractmethod
    def plan_replace(self, article_id: str, events: Iterable[Event], *,
                     rejected: Iterable[Event] = ()) -> ReplacePlan:
        """What replace_article (or a re-extraction) with ``events`` would add, remove, update
        and keep, without changing anything (so a user can be asked first)."""

    @abc.abstractmethod
    def replace_article(self, article: Article, events: Iterable[Event], *,
                        rejected: Iterable[Event] = ()) -> IngestOutcome:
        """Store the article with exactly these events (besides reviewed ones, which stay), in
        one transaction, whether or not its text changed; recorded in the history (undoable).

        ``rejected``: events an analyst rejected in review. They are recorded as one change of
        their own (removed if stored, even reviewed); no later re-extraction brings them back,
        and undoing that change stores them after all."""

    def optimize(self, *, force: bool = False) -> bool:
        """Refresh planner statistics after large writes; True if it did anything."""
        return False

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


