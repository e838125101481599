"""The GeoPackage file format of the event store: constants, column types (from EVENT_SCHEMA),
point geometry blobs, insert rows and the schema script. No connections here (see ``gpkg``)."""

from __future__ import annotations

import datetime as dt
import re
import struct
from collections.abc import Mapping
from typing import Any

from geo.models import EVENT_COLUMNS, EVENT_FIELDS, EVENT_SCHEMA, Event

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
HISTORY_TABLE = "geo_event_history"

_SQLITE_TYPES = {"text": "TEXT", "int": "INTEGER", "real": "REAL", "date": "DATE", "bool": "BOOLEAN"}


def sql_literal(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def column_type(name: str) -> str:
    """The SQLite column definition of an event field (from models.EVENT_SCHEMA)."""
    column = EVENT_COLUMNS[name]
    sql = _SQLITE_TYPES[column.kind]
    if not column.nullable:
        sql += " NOT NULL"
    if column.default is not None:
        sql += f" DEFAULT {sql_literal(column.default)}"
    return sql


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


def st_coord(index: int):  # type: ignore[no-untyped-def]
    def fn(blob: bytes | None) -> float | None:
        point = parse_gpkg_point(blob)
        return None if point is None else point[index]

    return fn


def st_is_empty(blob: bytes | None) -> int | None:
    if blob is None:
        return None
    return int(parse_gpkg_point(blob) is None)


# ---------------------------------------------------------------------------------------
# Row conversion
# ---------------------------------------------------------------------------------------

_EVENT_COLUMNS = ("geom", *EVENT_FIELDS)
INSERT_EVENT_SQL = (
    f"INSERT INTO {EVENTS_TABLE} ({', '.join(_EVENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _EVENT_COLUMNS)}) ON CONFLICT(event_id) DO NOTHING"
)
LAT = EVENT_FIELDS.index("latitude")
LON = EVENT_FIELDS.index("longitude")
_EVENT_ID = EVENT_FIELDS.index("event_id")
_ARTICLE_ID = EVENT_FIELDS.index("article_id")
_DATE = EVENT_FIELDS.index("event_date")


def event_row(event: Event) -> tuple[Any, ...]:
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
    return (gpkg_point(float(values[LAT]), float(values[LON])), *values)


def utc_timestamp(value: dt.datetime | None = None) -> str:
    """GeoPackage DATETIME text: ISO 8601 UTC with milliseconds and a Z."""
    value = value or dt.datetime.now(dt.UTC)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


# ---------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------

SCHEMA_SQL = f"""
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
    {", ".join(f"{name} {column_type(name)}" for name in EVENT_FIELDS)}
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
CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (
    change_id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    group_id INTEGER NOT NULL,
    changed_at DATETIME NOT NULL,
    action TEXT NOT NULL,
    event_id TEXT NOT NULL,
    article_id TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    note TEXT NOT NULL DEFAULT '',
    undone_by INTEGER
);
CREATE INDEX IF NOT EXISTS idx_history_event_id ON {HISTORY_TABLE}(event_id);
CREATE INDEX IF NOT EXISTS idx_history_article_id ON {HISTORY_TABLE}(article_id);
CREATE INDEX IF NOT EXISTS idx_history_group_id ON {HISTORY_TABLE}(group_id);
INSERT OR IGNORE INTO gpkg_contents
    (table_name, data_type, identifier, description, srs_id) VALUES
    ('{EVENTS_TABLE}', 'features', '{EVENTS_TABLE}',
     'Conflict events (ACLED-compatible) with provenance', {WGS84_SRS_ID}),
    ('{ARTICLES_TABLE}', 'attributes', '{ARTICLES_TABLE}',
     'Source articles and imported dataset files', NULL);
INSERT OR IGNORE INTO gpkg_geometry_columns VALUES
    ('{EVENTS_TABLE}', 'geom', 'POINT', {WGS84_SRS_ID}, 0, 0);
"""

SCHEMA_INDEXES = frozenset(re.findall(r"CREATE (?:UNIQUE )?INDEX IF NOT EXISTS (\w+)", SCHEMA_SQL))


def split_sql(script: str) -> list[str]:
    """Statements of a script without comments (none of ours contain ';' inside strings)."""
    lines = [ln for ln in script.splitlines() if not ln.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]
