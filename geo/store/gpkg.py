"""The event store: where extracted and imported events live, and what the dashboard queries.

The embedded default is one GeoPackage file (SQLite) written with the stdlib ``sqlite3``
module, so that this module controls the transactions while QGIS, GDAL and
``geopandas.read_file(path, layer="events")`` can still open the same file directly.

Layout of the file:

* the GeoPackage metadata tables (``gpkg_spatial_ref_sys`` with EPSG:4326,
  ``gpkg_contents``, ``gpkg_geometry_columns``) and the ``application_id`` /
  ``user_version`` PRAGMAs of GeoPackage 1.3;
* ``events``: a point feature table. ``geom`` holds GeoPackage binary points (GP header
  without envelope + little-endian WKB); ``latitude``/``longitude`` repeat the coordinates
  as plain REAL columns so that queries filter and build geometries without parsing blobs;
* ``articles``: an attribute (non-spatial) table with one row per ingested source, its
  ``content_hash`` (idempotent re-ingest) and ``event_count`` (consistency check).

Every article is written in one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``): its
events land together or not at all. The file runs in WAL mode, so readers keep reading
the last committed state while a writer works, and a killed writer leaves nothing behind
but an uncommitted WAL tail that SQLite discards on the next open.

``EventStore`` is the abstract interface; ``GpkgEventStore`` the GeoPackage
implementation. A server (PostGIS) implementation can slot in behind ``open_store``.
"""

from __future__ import annotations

import abc
import contextlib
import dataclasses
import datetime as dt
import enum
import logging
import os
import re
import sqlite3
import struct
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import StoreError, ValidationError
from geo.models import EVENT_COLUMNS, EVENT_FIELDS, EVENT_SCHEMA, Article, Event

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STORE_PATH = PROJECT_ROOT / "data" / "events.gpkg"
STORE_ENV_VAR = "GEO_STORE"

# GeoPackage: application_id is the ASCII bytes "GPKG"; user_version encodes 1.3.0.
GPKG_APPLICATION_ID = 0x47504B47
GPKG_USER_VERSION = 10300
WGS84_SRS_ID = 4326
WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)

EVENTS_TABLE = "events"
ARTICLES_TABLE = "articles"
BUSY_TIMEOUT_MS = 30_000
# Rows per executemany call: large enough to amortise the Python->SQLite overhead, small
# enough that a streamed import never holds a whole dataset in memory.
INSERT_CHUNK = 5_000
MMAP_BYTES = 1 << 30
CACHE_KIB = 32 * 1024

_SQLITE_TYPES = {"text": "TEXT", "int": "INTEGER", "real": "REAL", "date": "DATE", "bool": "BOOLEAN"}


def _sql_literal(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _column_type(name: str) -> str:
    """The SQLite column definition of an event field (from models.EVENT_SCHEMA)."""
    column = EVENT_COLUMNS[name]
    sql = _SQLITE_TYPES[column.kind]
    if not column.nullable:
        sql += " NOT NULL"
    if column.default is not None:
        sql += f" DEFAULT {_sql_literal(column.default)}"
    return sql


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


def open_store(location: str | os.PathLike[str] | None = None, *, create: bool = True) -> "EventStore":
    """Open the store at ``location`` (resolved as in resolve_store_location).

    ``create=False`` refuses to create a new, empty store (export and info use it, so a
    mistyped path is an error rather than an empty result).
    """
    resolved = resolve_store_location(os.fspath(location) if location is not None else None)
    if is_server_location(resolved):
        from geo.store.postgis import PostgisEventStore  # psycopg only when a server is used

        return PostgisEventStore(resolved, create=create)
    if "://" in resolved:
        raise StoreError(f"unsupported store location {resolved!r}: give a .gpkg file path")
    if not create and not Path(resolved).exists():
        raise StoreError(f"no store at {resolved} (ingest something first, or pass --store PATH)")
    return GpkgEventStore(resolved)


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


def _as_date(value: Any, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValidationError(f"{name}: {value!r} is not an ISO date (YYYY-MM-DD)") from exc
    raise ValidationError(f"{name} must be a date, not {type(value).__name__}")


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
        set_(self, "date_from", _as_date(self.date_from, "date_from"))
        set_(self, "date_to", _as_date(self.date_to, "date_to"))
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
        if self.limit is not None and self.limit < 0:
            raise ValidationError("limit must not be negative")


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
    def query(self, flt: EventFilter = EventFilter()) -> gpd.GeoDataFrame: ...

    @abc.abstractmethod
    def count(self, flt: EventFilter = EventFilter()) -> int: ...

    @abc.abstractmethod
    def summary(self, flt: EventFilter = EventFilter()) -> dict[str, Any]:
        """Aggregates for the dashboard, without fetching rows.

        Keys: ``total`` (int), ``fatalities`` (int, sum of known), ``undated`` (int),
        ``by_admin1`` / ``by_event_type`` (dict name -> count, largest first),
        ``by_date`` (dict ISO day -> count, ascending, dated events only).
        ``limit`` in the filter is ignored.
        """

    @abc.abstractmethod
    def point_counts(self, flt: EventFilter = EventFilter()) -> list[dict[str, Any]]:
        """Events per (location, admin1, event_type, geo_precision) at the mean position of
        those events, for map markers at scale. Keys: latitude, longitude, event_type,
        geo_precision, admin1, location, n (geo.webmap.layers.AGGREGATE_COLUMNS). Largest first."""

    @abc.abstractmethod
    def type_day_counts(self, flt: EventFilter = EventFilter()) -> list[dict[str, Any]]:
        """Dated events per (event_type, day): keys event_date (ISO str), event_type, n;
        by day, then type (the timeline chart without one summary per type)."""

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

    def optimize(self, *, force: bool = False) -> bool:
        """Refresh planner statistics after large writes; True if it did anything."""
        return False

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> "EventStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---------------------------------------------------------------------------------------
# GeoPackage geometry encoding
# ---------------------------------------------------------------------------------------

# GeoPackage binary header: magic "GP", version 0, flags 0b00000001 (little-endian header,
# no envelope, not empty, standard geometry), srs_id. A point needs no envelope: it would
# only repeat the coordinates.
_GP_HEADER = struct.pack("<2sBBi", b"GP", 0, 0b0000_0001, WGS84_SRS_ID)
_WKB_POINT = struct.Struct("<BIdd")  # byte order 1 (LE), type 1 (Point), x=lon, y=lat
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def gpkg_point(latitude: float, longitude: float) -> bytes:
    """A GeoPackage binary point (29 bytes) for (latitude, longitude)."""
    return _GP_HEADER + _WKB_POINT.pack(1, 1, longitude, latitude)


def parse_gpkg_point(blob: bytes | None) -> tuple[float, float] | None:
    """(latitude, longitude) of a GeoPackage binary point, None for empty/other geometries."""
    if blob is None or len(blob) < 8 or blob[:2] != b"GP":
        return None
    flags = blob[3]
    if flags & 0b0001_0000:  # empty geometry
        return None
    offset = 8 + _ENVELOPE_BYTES.get((flags >> 1) & 0b111, 0)
    wkb = blob[offset:]
    if len(wkb) < 21:
        return None
    endian = "<" if wkb[0] == 1 else ">"
    (geom_type,) = struct.unpack(endian + "I", wkb[1:5])
    if geom_type % 1000 != 1:
        return None
    x, y = struct.unpack(endian + "dd", wkb[5:21])
    return (y, x)


def _st_coord(index: int):  # type: ignore[no-untyped-def]
    def fn(blob: bytes | None) -> float | None:
        point = parse_gpkg_point(blob)
        return None if point is None else point[index]

    return fn


def _st_is_empty(blob: bytes | None) -> int | None:
    if blob is None:
        return None
    return int(parse_gpkg_point(blob) is None)


# ---------------------------------------------------------------------------------------
# Row conversion
# ---------------------------------------------------------------------------------------

_EVENT_COLUMNS = ("geom", *EVENT_FIELDS)
_INSERT_EVENT_SQL = (
    f"INSERT INTO {EVENTS_TABLE} ({', '.join(_EVENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _EVENT_COLUMNS)}) ON CONFLICT(event_id) DO NOTHING"
)
_LAT = EVENT_FIELDS.index("latitude")
_LON = EVENT_FIELDS.index("longitude")
_EVENT_ID = EVENT_FIELDS.index("event_id")
_ARTICLE_ID = EVENT_FIELDS.index("article_id")
_DATE = EVENT_FIELDS.index("event_date")


def _event_row(event: Event) -> tuple[Any, ...]:
    values = [getattr(event, name) for name in EVENT_FIELDS]
    date_value = values[_DATE]
    values[_DATE] = date_value.isoformat() if date_value is not None else None
    return (gpkg_point(event.latitude, event.longitude), *values)


# Defaults of NOT NULL columns, for plain records that lack a value (None).
_NOT_NULL_DEFAULTS = tuple(
    None if c.nullable else ("" if c.kind == "text" and c.default is None else c.default) for c in EVENT_SCHEMA
)


def record_row(record: Mapping[str, Any]) -> tuple[Any, ...]:
    """An insert row from a plain record (export path: values already cleaned to Python)."""
    values = [record.get(name) for name in EVENT_FIELDS]
    date_value = values[_DATE]
    if isinstance(date_value, dt.date):
        values[_DATE] = date_value.isoformat()
    for i, default in enumerate(_NOT_NULL_DEFAULTS):
        if default is not None and values[i] is None:
            values[i] = default  # a missing value is stored as the model's default, not NULL
    return (gpkg_point(float(values[_LAT]), float(values[_LON])), *values)


def _utc_timestamp(value: dt.datetime | None = None) -> str:
    """GeoPackage DATETIME text: ISO 8601 UTC with milliseconds and a Z."""
    value = value or dt.datetime.now(dt.timezone.utc)
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _parse_timestamp(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------

_SCHEMA_SQL = f"""
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
    srs_name TEXT NOT NULL,
    srs_id INTEGER NOT NULL PRIMARY KEY,
    organization TEXT NOT NULL,
    organization_coordsys_id INTEGER NOT NULL,
    definition TEXT NOT NULL,
    description TEXT
);
CREATE TABLE IF NOT EXISTS gpkg_contents (
    table_name TEXT NOT NULL PRIMARY KEY,
    data_type TEXT NOT NULL,
    identifier TEXT UNIQUE,
    description TEXT DEFAULT '',
    last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
    srs_id INTEGER,
    CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
    table_name TEXT NOT NULL,
    column_name TEXT NOT NULL,
    geometry_type_name TEXT NOT NULL,
    srs_id INTEGER NOT NULL,
    z TINYINT NOT NULL,
    m TINYINT NOT NULL,
    CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
    CONSTRAINT uk_gc_table_name UNIQUE (table_name),
    CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
    CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES
    ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined',
     'undefined cartesian coordinate reference system'),
    ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined',
     'undefined geographic coordinate reference system'),
    ('WGS 84 geodetic', {WGS84_SRS_ID}, 'EPSG', 4326, '{WGS84_WKT}',
     'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');
CREATE TABLE IF NOT EXISTS {EVENTS_TABLE} (
    fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    geom POINT,
    {", ".join(f"{name} {_column_type(name)}" for name in EVENT_FIELDS)}
);
CREATE UNIQUE INDEX IF NOT EXISTS idx_events_event_id ON {EVENTS_TABLE}(event_id);
CREATE INDEX IF NOT EXISTS idx_events_article_id ON {EVENTS_TABLE}(article_id);
CREATE INDEX IF NOT EXISTS idx_events_event_date ON {EVENTS_TABLE}(event_date);
-- (admin1, event_date) serves "admin1 = ?" alone (leftmost prefix) and the dashboard's
-- usual "governorate(s) + date range"; likewise (event_type, event_date) for types. A
-- separate single-column index on admin1 or event_type would only cost insert time.
CREATE INDEX IF NOT EXISTS idx_events_admin1_date ON {EVENTS_TABLE}(admin1, event_date);
CREATE INDEX IF NOT EXISTS idx_events_type_date ON {EVENTS_TABLE}(event_type, event_date);
-- Covers point_counts (map markers): GROUP BY in index order with the coordinates at hand,
-- instead of sorting every row (0.13 s instead of 1.6 s at a million events).
CREATE INDEX IF NOT EXISTS idx_events_place ON {EVENTS_TABLE}(
    location, admin1, event_type, geo_precision, latitude, longitude);
CREATE TABLE IF NOT EXISTS {ARTICLES_TABLE} (
    fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    article_id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    url TEXT NOT NULL,
    published DATE,
    text TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    ingested_at DATETIME NOT NULL,
    event_count INTEGER NOT NULL
);
INSERT OR IGNORE INTO gpkg_contents
    (table_name, data_type, identifier, description, srs_id) VALUES
    ('{EVENTS_TABLE}', 'features', '{EVENTS_TABLE}',
     'Conflict events (ACLED-compatible) with provenance', {WGS84_SRS_ID}),
    ('{ARTICLES_TABLE}', 'attributes', '{ARTICLES_TABLE}',
     'Source articles and imported dataset files', NULL);
INSERT OR IGNORE INTO gpkg_geometry_columns VALUES
    ('{EVENTS_TABLE}', 'geom', 'POINT', {WGS84_SRS_ID}, 0, 0);
"""

_SCHEMA_INDEXES = frozenset(re.findall(r"CREATE (?:UNIQUE )?INDEX IF NOT EXISTS (\w+)", _SCHEMA_SQL))

_ARTICLE_COLUMNS = (
    "article_id",
    "title",
    "source",
    "url",
    "published",
    "text",
    "content_hash",
    "ingested_at",
    "event_count",
)


# ---------------------------------------------------------------------------------------
# SQL for filters
# ---------------------------------------------------------------------------------------


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _in_clause(column: str, values: Sequence[str], params: list[Any]) -> str:
    params.extend(values)
    if len(values) == 1:
        return f"{column} = ?"
    return f"{column} IN ({', '.join('?' for _ in values)})"


def _where_branches(flt: EventFilter) -> list[tuple[str, list[Any]]]:
    """WHERE clauses whose union is the filter.

    A date range that keeps undated events is split in two branches (dated range, undated)
    because SQLite cannot use the (admin1, event_date) index for ``range OR IS NULL``.
    """
    common: list[str] = []
    params: list[Any] = []
    if flt.admin1:
        common.append(_in_clause("admin1", flt.admin1, params))
    if flt.event_types:
        common.append(_in_clause("event_type", flt.event_types, params))
    if flt.sub_event_types:
        common.append(_in_clause("sub_event_type", flt.sub_event_types, params))
    if flt.actors:
        a1 = _in_clause("actor1", flt.actors, params)
        a2 = _in_clause("actor2", flt.actors, params)
        common.append(f"({a1} OR {a2})")
    if flt.text:
        pattern = _like_pattern(flt.text)
        # LIKE is case-insensitive for ASCII; Arabic script has no case.
        common.append(
            "(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in ("notes", "location", "actor1", "actor2")) + ")"
        )
        params.extend([pattern] * 4)
    if flt.bbox is not None:
        min_lat, min_lon, max_lat, max_lon = flt.bbox
        common.append("latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ?")
        params.extend([min_lat, max_lat, min_lon, max_lon])
    if flt.max_geo_precision < 3:
        common.append("geo_precision <= ?")
        params.append(flt.max_geo_precision)
    if flt.article_id is not None:
        common.append("article_id = ?")
        params.append(flt.article_id)

    date_terms: list[str] = []
    date_params: list[Any] = []
    if flt.date_from is not None:
        date_terms.append("event_date >= ?")
        date_params.append(flt.date_from.isoformat())
    if flt.date_to is not None:
        date_terms.append("event_date <= ?")
        date_params.append(flt.date_to.isoformat())

    def clause(extra: list[str]) -> str:
        terms = common + extra
        return " AND ".join(terms) if terms else "1"

    if date_terms:
        branches = [(clause(date_terms), params + date_params)]
        if flt.include_undated:
            branches.append((clause(["event_date IS NULL"]), list(params)))
        return branches
    if not flt.include_undated:
        return [(clause(["event_date IS NOT NULL"]), params)]
    return [(clause([]), params)]


def _group_by_expression(column: str, flt: EventFilter) -> str:
    """The GROUP BY term for counts of ``column`` under ``flt``.

    Left alone, SQLite's planner groups by walking ``column``'s own index (no sort needed) and
    tests the filter on every row it meets: at 1,000,000 events, counts per type for one
    governorate took 1.5 s that way, against 0.16 s when the filter's index finds the rows and
    a temporary b-tree groups them. The unary ``+`` takes ``column``'s index out of the choice;
    it is used only when another column narrows the rows (with no filter, or a date range
    alone, walking the index is the fast plan).
    """
    narrowed_by_column = {
        "admin1": bool(flt.admin1),
        "event_type": bool(flt.event_types),
        "sub_event_type": bool(flt.sub_event_types),
    }
    other_filters = bool(
        flt.admin1 or flt.event_types or flt.sub_event_types or flt.actors or flt.text or flt.bbox
        or flt.max_geo_precision < 3 or flt.article_id
    )
    if other_filters and not narrowed_by_column.get(column, False):
        return f"+{column}"
    return column


def _select_sql(columns: str, flt: EventFilter, *, use_indexes: bool = True) -> tuple[str, list[Any]]:
    table = EVENTS_TABLE if use_indexes else f"{EVENTS_TABLE} NOT INDEXED"
    parts, params = [], []
    for where, branch_params in _where_branches(flt):
        parts.append(f"SELECT {columns} FROM {table} WHERE {where}")
        params.extend(branch_params)
    return " UNION ALL ".join(parts), params


# ---------------------------------------------------------------------------------------
# Frames
# ---------------------------------------------------------------------------------------


def _date_objects(values: Sequence[str | None]) -> np.ndarray:
    # Dates repeat a lot (thousands of distinct days for a million events): parse each once.
    cache: dict[str | None, dt.date | None] = {None: None}
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        parsed = cache.get(value, cache)
        if parsed is cache:
            parsed = _parse_date(value)
            cache[value] = parsed  # type: ignore[index]
        out[i] = parsed
    return out


def events_frame(rows: Sequence[Sequence[Any]]) -> gpd.GeoDataFrame:
    """A GeoDataFrame (EPSG:4326, EVENT_FIELDS + geometry) from rows in EVENT_FIELDS order.

    Text columns are ``object`` dtype holding Python ``str``: building pandas' Arrow-backed
    ``str`` columns costs more than the query itself at 100k rows, and the dashboard and
    exports read values, not Arrow buffers.
    """
    if rows:
        table = np.array(rows, dtype=object)  # the transpose in C: faster than zip(*rows)
    else:
        table = np.empty((0, len(EVENT_FIELDS)), dtype=object)
    data: dict[str, Any] = {}
    for i, name in enumerate(EVENT_FIELDS):
        column = table[:, i]
        kind = EVENT_COLUMNS[name].kind
        if kind == "date":
            data[name] = pd.Series(_date_objects(column), dtype=object)
        elif kind == "int" and EVENT_COLUMNS[name].nullable:
            data[name] = pd.array(column, dtype="Int64")
        elif kind == "int":
            data[name] = column.astype("int64")
        elif kind == "real":
            data[name] = column.astype("float64")
        elif kind == "bool":
            data[name] = column.astype(bool)
        else:
            data[name] = pd.Series(column, dtype=object)
    frame = pd.DataFrame(data)
    geometry = gpd.points_from_xy(data["longitude"], data["latitude"], crs="EPSG:4326")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


# ---------------------------------------------------------------------------------------
# GeoPackage store
# ---------------------------------------------------------------------------------------


def _sqlite_error(action: str, exc: sqlite3.Error, location: str) -> StoreError:
    message = str(exc)
    if "file is not a database" in message:
        return StoreError(f"{location}: not a GeoPackage (not an SQLite file at all)")
    if "locked" in message or "busy" in message:
        message = f"the store is busy (another writer held it for over {BUSY_TIMEOUT_MS // 1000} s)"
    return StoreError(f"{location}: cannot {action}: {message}")


@dataclass
class _Extent:
    min_lon: float = float("inf")
    min_lat: float = float("inf")
    max_lon: float = float("-inf")
    max_lat: float = float("-inf")

    def add(self, lat: float, lon: float) -> None:
        if lon < self.min_lon:
            self.min_lon = lon
        if lon > self.max_lon:
            self.max_lon = lon
        if lat < self.min_lat:
            self.min_lat = lat
        if lat > self.max_lat:
            self.max_lat = lat

    @property
    def empty(self) -> bool:
        return self.min_lon == float("inf")


@dataclass
class _InsertStats:
    inserted: int = 0
    extent: _Extent = field(default_factory=_Extent)


class GpkgEventStore(EventStore):
    """The GeoPackage (SQLite) implementation. Thread-safe: each call borrows a connection
    from a small pool, so readers in different threads run concurrently (WAL)."""

    def __init__(self, path: str | os.PathLike[str], *, wal: bool = True, max_idle: int = 4) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self._wal = wal
        self._max_idle = max_idle
        self._idle: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a directory, not a GeoPackage file")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create its folder: {exc}") from exc
        with self._connection() as conn:
            self._init_schema(conn)

    # -- connections -------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,  # autocommit: transactions are explicit BEGIN/COMMIT
                check_same_thread=False,  # the pool hands connections across threads
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # Reads through a memory map skip a copy per page (a third off large queries);
            # it only reserves address space. A bigger page cache keeps the index pages
            # hot during bulk imports.
            conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            if self._wal:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    log.warning("%s: WAL journal not available (got %s)", self.path, mode)
                # In WAL mode NORMAL is still crash-safe for the process (a kill loses
                # nothing committed); only a power cut may drop the last transactions.
                conn.execute("PRAGMA synchronous = NORMAL")
            # GDAL adds R-tree triggers that call these if someone edits the file in QGIS;
            # registering them keeps our own inserts working on such a file.
            for name, fn in (
                ("ST_MinX", _st_coord(1)),
                ("ST_MaxX", _st_coord(1)),
                ("ST_MinY", _st_coord(0)),
                ("ST_MaxY", _st_coord(0)),
                ("ST_IsEmpty", _st_is_empty),
            ):
                conn.create_function(name, 1, fn, deterministic=True)
        except sqlite3.Error as exc:
            raise _sqlite_error("open the store", exc, self.location) from exc
        return conn

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._closed:
                raise StoreError(f"{self.location}: the store is closed")
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._connect()
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.rollback()
            with self._lock:
                keep = not self._closed and len(self._idle) < self._max_idle
                if keep:
                    self._idle.append(conn)
            if not keep:
                conn.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def __repr__(self) -> str:
        return f"GpkgEventStore({self.location!r})"

    # -- schema ------------------------------------------------------------------------

    def _init_schema(self, conn: sqlite3.Connection) -> None:
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            objects = {(r[0], r[1]) for r in conn.execute("SELECT type, name FROM sqlite_master")}
            tables = {name for kind, name in objects if kind == "table"}
            indexes = {name for kind, name in objects if kind == "index"}
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.location}: not a GeoPackage/SQLite file ({exc})") from exc
        if tables and app_id != GPKG_APPLICATION_ID and "gpkg_contents" not in tables:
            raise StoreError(f"{self.location}: an SQLite file but not a GeoPackage; refusing to modify it")
        added: list[str] = []
        if EVENTS_TABLE in tables:
            first = [c.name for c in EVENT_SCHEMA if c.since == 1]
            have = self._check_columns(conn, EVENTS_TABLE, ("geom", *first))
            added = [name for name in EVENT_FIELDS if name not in have]
            if ARTICLES_TABLE in tables:
                self._check_columns(conn, ARTICLES_TABLE, _ARTICLE_COLUMNS)
        # Opening an up-to-date store only reads: a writer busy with a long import must not
        # hold up a reader that is just opening the file. Older stores get what is missing.
        if ({EVENTS_TABLE, ARTICLES_TABLE} <= tables and _SCHEMA_INDEXES <= indexes
                and app_id == GPKG_APPLICATION_ID and not added):
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
            # Columns added by later schema versions, with their defaults (a store written by
            # an older version of this program keeps its rows and gains the columns).
            for name in added:
                conn.execute(f"ALTER TABLE {EVENTS_TABLE} ADD COLUMN {name} {_column_type(name)}")
            # executescript would COMMIT first; run the statements one by one instead.
            for statement in _split_sql(_SCHEMA_SQL):
                conn.execute(statement)
            conn.execute("COMMIT")
            # GDAL checks application_id by reading the file header itself, not through
            # SQLite: copy the new page 1 out of the WAL into the main file now.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise _sqlite_error("create the GeoPackage tables", exc, self.location) from exc
        if added:
            log.info("%s: added the event column(s) %s", self.location, ", ".join(added))
        log.info("initialised GeoPackage store %s", self.location)

    def _check_columns(self, conn: sqlite3.Connection, table: str, needed: Sequence[str]) -> set[str]:
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        missing = [c for c in needed if c not in have]
        if missing:
            raise StoreError(
                f"{self.location}: table {table!r} was not written by this program "
                f"(missing columns {', '.join(missing)})"
            )
        return have

    # -- writes ------------------------------------------------------------------------

    def add_article(self, article: Article, events: Iterable[Event]) -> IngestOutcome:
        aid = article.article_id
        content_hash = article.content_hash
        with self._connection() as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
                row = conn.execute(
                    f"SELECT content_hash FROM {ARTICLES_TABLE} WHERE article_id = ?", (aid,)
                ).fetchone()
                if row is not None and row[0] == content_hash:
                    conn.execute("ROLLBACK")
                    return IngestOutcome.UNCHANGED
                if row is not None:
                    conn.execute(f"DELETE FROM {EVENTS_TABLE} WHERE article_id = ?", (aid,))
                stats = self._insert_events(conn, aid, events)
                conn.execute(
                    f"INSERT INTO {ARTICLES_TABLE} ({', '.join(_ARTICLE_COLUMNS)}) "
                    f"VALUES ({', '.join('?' for _ in _ARTICLE_COLUMNS)}) "
                    "ON CONFLICT(article_id) DO UPDATE SET "
                    + ", ".join(f"{c} = excluded.{c}" for c in _ARTICLE_COLUMNS[1:]),
                    (
                        aid,
                        article.title,
                        article.source,
                        article.url,
                        article.published.isoformat() if article.published else None,
                        article.text,
                        content_hash,
                        _utc_timestamp(article.ingested_at),
                        stats.inserted,
                    ),
                )
                self._touch_contents(conn, stats.extent)
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise _sqlite_error(f"store article {aid}", exc, self.location) from exc
            # Any other exception (StoreError from a collision, an error raised by a lazy
            # events iterable, KeyboardInterrupt) leaves the transaction open; the
            # connection context manager rolls it back before the exception propagates.
        outcome = IngestOutcome.ADDED if row is None else IngestOutcome.REPLACED
        log.debug("article %s: %s, %d events", aid, outcome, stats.inserted)
        return outcome

    def _insert_events(self, conn: sqlite3.Connection, aid: str, events: Iterable[Event]) -> _InsertStats:
        stats = _InsertStats()
        iterator = iter(events)
        while True:
            chunk = list(islice(iterator, INSERT_CHUNK))
            if not chunk:
                return stats
            rows = []
            for event in chunk:
                if event.article_id != aid:
                    raise StoreError(
                        f"event {event.event_id} names article {event.article_id!r}, "
                        f"not the article being stored ({aid!r})"
                    )
                rows.append(_event_row(event))
                stats.extent.add(event.latitude, event.longitude)
            cursor = conn.executemany(_INSERT_EVENT_SQL, rows)
            if cursor.rowcount != len(rows):
                raise self._collision_error(conn, aid, [r[1 + _EVENT_ID] for r in rows])
            stats.inserted += len(rows)

    def _collision_error(self, conn: sqlite3.Connection, aid: str, ids: list[str]) -> StoreError:
        # ON CONFLICT DO NOTHING skipped some rows: say which event_id and why.
        repeated = [eid for eid, n in Counter(ids).items() if n > 1]
        if repeated:
            return StoreError(f"article {aid}: event_id {repeated[0]!r} occurs more than once")
        marks = ", ".join("?" for _ in ids)
        for eid, owner in conn.execute(
            f"SELECT event_id, article_id FROM {EVENTS_TABLE} WHERE event_id IN ({marks})", ids
        ):
            if owner != aid:
                return StoreError(
                    f"article {aid}: event_id {eid!r} is already stored for article {owner!r}"
                )
        return StoreError(f"article {aid}: an event_id occurs more than once")

    def _touch_contents(self, conn: sqlite3.Connection, extent: _Extent) -> None:
        # GeoPackage readers use gpkg_contents' extent for "zoom to layer"; it may be larger
        # than the data (deletes do not shrink it), never smaller.
        now = _utc_timestamp()
        if extent.empty:
            conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name IN (?, ?)",
                         (now, EVENTS_TABLE, ARTICLES_TABLE))
            return
        conn.execute(
            "UPDATE gpkg_contents SET last_change = ?, "
            "min_x = min(coalesce(min_x, ?), ?), min_y = min(coalesce(min_y, ?), ?), "
            "max_x = max(coalesce(max_x, ?), ?), max_y = max(coalesce(max_y, ?), ?) "
            "WHERE table_name = ?",
            (
                now,
                extent.min_lon, extent.min_lon,
                extent.min_lat, extent.min_lat,
                extent.max_lon, extent.max_lon,
                extent.max_lat, extent.max_lat,
                EVENTS_TABLE,
            ),
        )
        conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?", (now, ARTICLES_TABLE))

    def write_records(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Bulk-insert plain event records (exports); no article bookkeeping. One transaction."""
        extent = _Extent()
        n = 0
        with self._connection() as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
                iterator = iter(records)
                while chunk := list(islice(iterator, INSERT_CHUNK)):
                    rows = [record_row(r) for r in chunk]
                    for row in rows:
                        extent.add(row[1 + _LAT], row[1 + _LON])
                    conn.executemany(_INSERT_EVENT_SQL, rows)
                    n += len(rows)
                self._touch_contents(conn, extent)
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise _sqlite_error("write events", exc, self.location) from exc
        return n

    def delete_article(self, article_id: str) -> int:
        with self._connection() as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
                deleted = conn.execute(
                    f"DELETE FROM {EVENTS_TABLE} WHERE article_id = ?", (article_id,)
                ).rowcount
                conn.execute(f"DELETE FROM {ARTICLES_TABLE} WHERE article_id = ?", (article_id,))
                self._touch_contents(conn, _Extent())
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise _sqlite_error(f"delete article {article_id}", exc, self.location) from exc
        return deleted

    def optimize(self, *, force: bool = False) -> bool:
        """Refresh the planner statistics (ANALYZE) when the events table has grown or
        shrunk by over a fifth since they were taken; True if it ran. A full ANALYZE
        reads only the indexes (a fraction of a second at a million events); sampled
        statistics (analysis_limit) proved too rough to rank the indexes."""
        with self._connection() as conn:
            try:
                rows = conn.execute(f"SELECT count(*) FROM {EVENTS_TABLE}").fetchone()[0]
                try:
                    stat = conn.execute(
                        "SELECT stat FROM sqlite_stat1 WHERE tbl = ? AND idx = 'idx_events_event_date'",
                        (EVENTS_TABLE,),
                    ).fetchone()
                except sqlite3.OperationalError:  # no sqlite_stat1 yet
                    stat = None
                estimate = int(stat[0].split()[0]) if stat else None
                if not force and estimate is not None and abs(rows - estimate) <= 0.2 * max(estimate, 1):
                    return False
                conn.execute("ANALYZE")
            except sqlite3.Error as exc:
                raise _sqlite_error("analyse the store", exc, self.location) from exc
        log.debug("%s: statistics refreshed at %d events", self.location, rows)
        return True

    # -- reads -------------------------------------------------------------------------

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._connection() as conn:
            try:
                return conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise _sqlite_error("read events", exc, self.location) from exc

    def query_rows(self, flt: EventFilter = EventFilter(), *, use_indexes: bool = True) -> list[tuple[Any, ...]]:
        """Matching rows as tuples in EVENT_FIELDS order (``use_indexes=False`` for baselines)."""
        sql, params = _select_sql(", ".join(EVENT_FIELDS), flt, use_indexes=use_indexes)
        sql += " ORDER BY event_date DESC, event_id"
        if flt.limit is not None:
            sql += " LIMIT ?"
            params.append(flt.limit)
        return self._read(sql, params)

    def query(self, flt: EventFilter = EventFilter()) -> gpd.GeoDataFrame:
        return events_frame(self.query_rows(flt))

    def count(self, flt: EventFilter = EventFilter()) -> int:
        total = 0
        for where, params in _where_branches(flt):
            total += self._read(f"SELECT count(*) FROM {EVENTS_TABLE} WHERE {where}", params)[0][0]
        if flt.limit is not None:
            total = min(total, flt.limit)
        return total

    def _grouped(self, column: str, flt: EventFilter) -> Counter[Any]:
        counts: Counter[Any] = Counter()
        group_by = _group_by_expression(column, flt)
        for where, params in _where_branches(flt):
            for key, n in self._read(
                f"SELECT {column}, count(*) FROM {EVENTS_TABLE} WHERE {where} GROUP BY {group_by}", params
            ):
                counts[key] += n
        return counts

    def summary(self, flt: EventFilter = EventFilter()) -> dict[str, Any]:
        by_date = self._grouped("event_date", flt)
        undated = by_date.pop(None, 0)
        fatalities = 0
        for where, params in _where_branches(flt):
            fatalities += self._read(
                f"SELECT coalesce(sum(fatalities), 0) FROM {EVENTS_TABLE} WHERE {where}", params
            )[0][0]
        by_admin1 = self._grouped("admin1", flt)
        return {
            "total": sum(by_admin1.values()),
            "fatalities": int(fatalities),
            "undated": undated,
            "by_admin1": dict(by_admin1.most_common()),
            "by_event_type": dict(self._grouped("event_type", flt).most_common()),
            "by_date": dict(sorted(by_date.items())),
        }

    def point_counts(self, flt: EventFilter = EventFilter()) -> list[dict[str, Any]]:
        sql, params = _select_sql("latitude, longitude, event_type, geo_precision, admin1, location", flt)
        rows = self._read(
            "SELECT avg(latitude), avg(longitude), event_type, geo_precision, admin1, location, count(*) AS n "
            f"FROM ({sql}) GROUP BY location, admin1, event_type, geo_precision ORDER BY n DESC, location",
            params,
        )
        keys = ("latitude", "longitude", "event_type", "geo_precision", "admin1", "location", "n")
        return [dict(zip(keys, row)) for row in rows]

    def type_day_counts(self, flt: EventFilter = EventFilter()) -> list[dict[str, Any]]:
        dated = dataclasses.replace(flt, include_undated=False, limit=None)
        sql, params = _select_sql("event_type, event_date", dated)
        rows = self._read(
            f"SELECT event_date, event_type, count(*) FROM ({sql}) GROUP BY event_date, event_type "
            "ORDER BY event_date, event_type",
            params,
        )
        return [{"event_date": d, "event_type": t, "n": n} for d, t, n in rows]

    def date_span(self) -> tuple[dt.date, dt.date] | None:
        # Two single-aggregate queries: SQLite answers each from the date index directly.
        low = self._read(f"SELECT min(event_date) FROM {EVENTS_TABLE}")[0][0]
        high = self._read(f"SELECT max(event_date) FROM {EVENTS_TABLE}")[0][0]
        first, last = _parse_date(low), _parse_date(high)
        if first is None or last is None:
            return None
        return (first, last)

    def actors(self) -> list[str]:
        rows = self._read(
            f"SELECT actor1 FROM {EVENTS_TABLE} UNION SELECT actor2 FROM {EVENTS_TABLE}"
        )
        return sorted(r[0] for r in rows if r[0])

    def _article(self, row: Sequence[Any]) -> Article:
        aid, title, source, url, published, text, _hash, ingested_at = row[:8]
        return Article(
            article_id=aid,
            text=text or "",
            title=title or "",
            source=source or "",
            url=url or "",
            published=_parse_date(published),
            ingested_at=_parse_timestamp(ingested_at),
        )

    def get_article(self, article_id: str) -> Article | None:
        rows = self._read(
            f"SELECT {', '.join(_ARTICLE_COLUMNS)} FROM {ARTICLES_TABLE} WHERE article_id = ?",
            (article_id,),
        )
        return self._article(rows[0]) if rows else None

    def articles(self) -> list[Article]:
        columns = ", ".join("'' AS text" if c == "text" else c for c in _ARTICLE_COLUMNS)
        rows = self._read(f"SELECT {columns} FROM {ARTICLES_TABLE} ORDER BY article_id")
        return [self._article(r) for r in rows]

    def article_content_hash(self, article_id: str) -> str | None:
        rows = self._read(
            f"SELECT content_hash FROM {ARTICLES_TABLE} WHERE article_id = ?", (article_id,)
        )
        return rows[0][0] if rows else None

    def article_event_counts(self) -> dict[str, tuple[int, int]]:
        # One snapshot for both sides (a single statement), so a concurrent writer cannot
        # make a consistent store look inconsistent.
        rows = self._read(
            f"SELECT a.article_id, a.event_count, coalesce(e.n, 0) FROM {ARTICLES_TABLE} a "
            f"LEFT JOIN (SELECT article_id, count(*) AS n FROM {EVENTS_TABLE} GROUP BY article_id) e "
            "ON e.article_id = a.article_id "
            f"UNION ALL SELECT e.article_id, NULL, count(*) FROM {EVENTS_TABLE} e "
            f"WHERE e.article_id NOT IN (SELECT article_id FROM {ARTICLES_TABLE}) GROUP BY e.article_id"
        )
        return {aid: (-1 if recorded is None else recorded, stored) for aid, recorded, stored in rows}

    def info(self) -> StoreInfo:
        articles = self._read(f"SELECT count(*) FROM {ARTICLES_TABLE}")[0][0]
        events = self._read(f"SELECT count(*) FROM {EVENTS_TABLE}")[0][0]
        undated = self._read(f"SELECT count(*) FROM {EVENTS_TABLE} WHERE event_date IS NULL")[0][0]
        size = sum(
            p.stat().st_size
            for p in (self.path, Path(f"{self.path}-wal"))
            if p.exists()
        )
        return StoreInfo(self.location, articles, events, undated, self.date_span(), size)


def write_events_file(path: str | os.PathLike[str], records: Iterable[Mapping[str, Any]]) -> int:
    """A stand-alone GeoPackage with only the ``events`` layer (exports): rollback journal
    instead of WAL so the file is self-contained, and no empty ``articles`` table (so
    ``gpd.read_file(path)`` needs no layer name). Returns the number of events written."""
    store = GpkgEventStore(path, wal=False)
    try:
        count = store.write_records(records)
        with store._connection() as conn:
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(f"DROP TABLE {ARTICLES_TABLE}")
                conn.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (ARTICLES_TABLE,))
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise _sqlite_error("finish the export", exc, store.location) from exc
    finally:
        store.close()
    return count


def _split_sql(script: str) -> list[str]:
    """Statements of a script without comments (none of ours contain ';' inside strings)."""
    lines = [ln for ln in script.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
