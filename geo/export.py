"""Exports of query results: GeoJSON (RFC 7946), CSV (ACLED column order), GeoPackage.

Every function takes a GeoDataFrame as returned by ``EventStore.query`` (the columns of
``EVENT_FIELDS``; extra columns are ignored), so the CLI and the dashboard's download
button share one code path and honour the same :class:`geo.store.gpkg.EventFilter`.

Values are normalised once per column: dates become ISO ``YYYY-MM-DD`` strings, missing
values (None, NaN, NaT, pd.NA) become JSON ``null`` / an empty CSV cell; NaN and
infinities are never written.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import re
import sys
import unicodedata
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo.dates import parse_date
from geo.errors import ExportError, GeoError, ValidationError
from geo.models import EVENT_FIELDS, EVENT_SCHEMA, geojson_position

if TYPE_CHECKING:
    from geo.store import EventFilter, EventStore

log = logging.getLogger(__name__)

EXPORT_FORMATS: tuple[str, ...] = ("geojson", "csv", "gpkg")
MEDIA_TYPES: dict[str, str] = {
    "geojson": "application/geo+json",
    "csv": "text/csv",
    "gpkg": "application/geopackage+sqlite3",
}
FILE_SUFFIXES: dict[str, str] = {"geojson": ".geojson", "csv": ".csv", "gpkg": ".gpkg"}
_SUFFIX_FORMATS = {".geojson": "geojson", ".json": "geojson", ".csv": "csv", ".gpkg": "gpkg"}

# ACLED's export order first (event_id in the place of event_id_cnty), then provenance.
CSV_COLUMNS: tuple[str, ...] = (
    "event_id",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "country",
    "admin1",
    "admin1_code",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
    "fatalities",
    "article_id",
    "sentence_start",
    "sentence_end",
    "place_start",
    "place_end",
    "place_id",
    "confidence",
    "admin2",
    "location_detail",
    "interaction",
    "source_ref",
    "reviewed",
)
assert sorted(CSV_COLUMNS) == sorted(EVENT_FIELDS), "CSV_COLUMNS must list every event field once"

_INT_FIELDS = frozenset(c.name for c in EVENT_SCHEMA if c.kind == "int")
_FLOAT_FIELDS = frozenset(c.name for c in EVENT_SCHEMA if c.kind == "real")
_DATE_FIELDS = frozenset(c.name for c in EVENT_SCHEMA if c.kind == "date")
_BOOL_FIELDS = frozenset(c.name for c in EVENT_SCHEMA if c.kind == "bool")
_TEXT_FIELDS = tuple(c.name for c in EVENT_SCHEMA if c.kind == "text")
# OWASP "CSV injection": a cell starting with one of these is run as a formula by spreadsheets.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_CHARS = frozenset(FORMULA_TRIGGERS)
# Columns added after the first schema: a frame without them (built by older code) exports
# their defaults instead of failing.
_LATER_DEFAULTS = {c.name: c.default for c in EVENT_SCHEMA if c.since > 1}


def format_for_path(path: str | os.PathLike[str]) -> str:
    """The export format a file name asks for (by suffix); ExportError if none does."""
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIX_FORMATS:
        raise ExportError(f"cannot tell the export format from {str(path)!r}: use --format geojson|csv|gpkg")
    return _SUFFIX_FORMATS[suffix]


# ---------------------------------------------------------------------------------------
# Value normalisation
# ---------------------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value) or math.isinf(value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _iso_date(value: Any) -> str | None:
    if _missing(value):
        return None
    try:
        parsed = parse_date(value, what="event_date")  # the one date parser
    except ValidationError as exc:
        raise ExportError(str(exc)) from exc
    return None if parsed is None else parsed.isoformat()


def _as_int(value: Any) -> int | None:
    if _missing(value):
        return None
    if isinstance(value, float) and not value.is_integer():
        raise ExportError(f"{value!r} is not an integer")
    return int(value)


def _as_float(value: Any) -> float | None:
    if _missing(value):
        return None
    return float(value)


def _as_bool(value: Any) -> bool | None:
    return None if _missing(value) else bool(value)


def _as_str(value: Any) -> str | None:
    return None if _missing(value) else str(value)


def _column_values(gdf: pd.DataFrame, name: str) -> list[Any]:
    """One column as JSON-safe Python values (None for every kind of missing)."""
    if name not in gdf.columns:
        return [_LATER_DEFAULTS[name]] * len(gdf)
    series = gdf[name]
    if name in _DATE_FIELDS:
        # Many rows, few distinct days: convert each distinct value once.
        cache: dict[Any, Any] = {}
        out = []
        for value in series.tolist():
            try:
                if value not in cache:
                    cache[value] = _iso_date(value)
                out.append(cache[value])
            except TypeError:  # unhashable
                out.append(_iso_date(value))
        return out
    dtype = series.dtype
    if name in _FLOAT_FIELDS and dtype == "float64":
        array = series.to_numpy()
        values = array.tolist()
        for i in np.flatnonzero(~np.isfinite(array)):
            values[i] = None
        return values
    if name in _INT_FIELDS and dtype == "int64":
        return series.tolist()
    if name in _INT_FIELDS and isinstance(dtype, pd.Int64Dtype):
        return [None if v is None else int(v) for v in series.to_numpy(dtype=object, na_value=None)]
    if name in _BOOL_FIELDS:
        return [_as_bool(v) for v in series.tolist()]
    convert = _as_int if name in _INT_FIELDS else _as_float if name in _FLOAT_FIELDS else _as_str
    if convert is _as_str:
        # The common case (object or str dtype full of str) without a per-value isna().
        return [v if type(v) is str else convert(v) for v in series.tolist()]
    return [convert(v) for v in series.tolist()]


def _columns(gdf: pd.DataFrame) -> dict[str, list[Any]]:
    missing = [c for c in EVENT_FIELDS if c not in gdf.columns and c not in _LATER_DEFAULTS]
    if missing:
        raise ExportError(f"cannot export: the table lacks column(s) {', '.join(missing)}")
    return {name: _column_values(gdf, name) for name in CSV_COLUMNS}


def event_records(gdf: pd.DataFrame) -> list[dict[str, Any]]:
    """Plain, JSON-safe dicts of the event fields, one per row, in CSV_COLUMNS order."""
    columns = _columns(gdf)
    return [dict(zip(CSV_COLUMNS, values)) for values in zip(*columns.values())]


# ---------------------------------------------------------------------------------------
# Formats
# ---------------------------------------------------------------------------------------


def events_to_geojson(gdf: pd.DataFrame) -> dict[str, Any]:
    """An RFC 7946 FeatureCollection: Point geometries ``[lon, lat]``, every event field as a
    property, the event_id as the feature id, and no ``crs`` member (WGS 84 is implied)."""
    features = []
    for record in event_records(gdf):
        lat, lon = record["latitude"], record["longitude"]
        geometry = None if lat is None or lon is None else {"type": "Point", "coordinates": geojson_position(lat, lon)}
        features.append({"type": "Feature", "id": record["event_id"], "geometry": geometry, "properties": record})
    return {"type": "FeatureCollection", "features": features}


def geojson_bytes(gdf: pd.DataFrame) -> bytes:
    """UTF-8 GeoJSON text; ``allow_nan=False`` makes a stray NaN an error, never output."""
    try:
        text = json.dumps(events_to_geojson(gdf), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError as exc:
        raise ExportError(f"cannot write GeoJSON: {exc}") from exc
    return text.encode("utf-8")


def neutralise_cell(text: str) -> str:
    """A text cell that no spreadsheet runs as a formula: OWASP's advice, a leading ``'``
    before a cell that starts with =, +, -, @, tab or carriage return (the csv module then
    quotes the cell as needed). Only text columns go through this; numeric columns
    (latitude -35.2, fatalities) are written from numbers, never from user text, so real
    negative numbers stay numbers."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def events_to_csv_bytes(gdf: pd.DataFrame) -> bytes:
    """UTF-8 CSV (RFC 4180 line ends) in ACLED column order; missing values are empty cells;
    text cells that a spreadsheet would run as formulas are neutralised (neutralise_cell)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    columns = _columns(gdf)
    for name in _TEXT_FIELDS:
        values = columns[name]
        for i, value in enumerate(values):
            if value and value[0] in _TRIGGER_CHARS:
                values[i] = neutralise_cell(value)
    # csv writes None as an empty cell already; rows straight from the columns, no dicts.
    writer.writerows(zip(*columns.values()))
    return buffer.getvalue().encode("utf-8")


def write_gpkg(gdf: pd.DataFrame, path: str | os.PathLike[str]) -> int:
    """A GeoPackage at ``path`` (replaced atomically) with the events layer; rows written.

    The events table has the store's own schema (``gpd.read_file(path)`` reads it, and
    ``open_store`` can open the file), with a rollback journal instead of WAL so it is one
    self-contained file.
    """
    from geo.store import write_events_file

    target = Path(path)
    records = event_records(gdf)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        tmp.unlink()  # SQLite must create the file itself
        count = write_events_file(tmp, records)
        os.replace(tmp, target)
    except GeoError:
        tmp.unlink(missing_ok=True)
        raise
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return count


def events_to_gpkg_bytes(gdf: pd.DataFrame) -> bytes:
    """The GeoPackage of write_gpkg, as bytes (for a download button)."""
    with tempfile.TemporaryDirectory(prefix="geo-export-") as folder:
        path = Path(folder) / "events.gpkg"
        write_gpkg(gdf, path)
        return path.read_bytes()


_WRITERS: dict[str, Callable[[pd.DataFrame], bytes]] = {
    "geojson": geojson_bytes,
    "csv": events_to_csv_bytes,
    "gpkg": events_to_gpkg_bytes,
}


def export_bytes(gdf: pd.DataFrame, fmt: str) -> bytes:
    """The export of ``gdf`` in ``fmt`` (one of EXPORT_FORMATS) as bytes."""
    if fmt not in _WRITERS:
        raise ExportError(f"unknown export format {fmt!r} (one of {', '.join(EXPORT_FORMATS)})")
    return _WRITERS[fmt](gdf)


def write_export(gdf: pd.DataFrame, fmt: str, out: str | os.PathLike[str]) -> int:
    """Write ``gdf`` in ``fmt`` to ``out`` ("-" for stdout, text formats only); rows written."""
    if fmt == "gpkg":
        if str(out) == "-":
            raise ExportError("a GeoPackage cannot be written to stdout: give -o FILE.gpkg")
        return write_gpkg(gdf, out)
    data = export_bytes(gdf, fmt)
    if str(out) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return len(gdf)
    target = Path(out)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write beside the target and rename: a failed export never leaves half a file.
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp_name, target)
    except OSError as exc:
        raise ExportError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return len(gdf)


def _slug(text: str, max_len: int = 40) -> str:
    """Lower-case ASCII letters, digits and '-' (accents dropped; other scripts vanish)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:max_len].strip("-")


def _slugs(values: tuple[str, ...], noun: str) -> str:
    if len(values) > 3:
        return f"{len(values)}-{noun}"
    return "-".join(s for s in (_slug(v) for v in values) if s)


def export_filename(flt: "EventFilter", fmt: str) -> str:
    """A file name that says what an export holds, e.g. ``events_aleppo_2014-01-03_2014-01-05.geojson``:
    governorates, types, actors, text, article, bbox and precision when filtered, then the
    period. Only ``[a-z0-9_.-]`` (safe in every file system and URL), at most ~200 characters."""
    if fmt not in FILE_SUFFIXES:
        raise ExportError(f"unknown export format {fmt!r} (one of {', '.join(EXPORT_FORMATS)})")
    parts = ["events"]
    parts.append(_slugs(flt.admin1, "governorates"))
    parts.append(_slugs(flt.event_types, "types"))
    parts.append(_slugs(flt.sub_event_types, "subtypes"))
    if flt.actors:
        parts.append("actor-" + (_slugs(flt.actors, "actors") or f"{len(flt.actors)}"))
    if flt.text:
        parts.append("text-" + (_slug(flt.text, 24) or "x"))
    if flt.article_id:
        parts.append("article-" + (_slug(flt.article_id, 24) or "x"))
    if flt.bbox is not None:
        parts.append("bbox")
    if flt.max_geo_precision < 3:
        parts.append(f"precision-{flt.max_geo_precision}")
    if flt.date_from or flt.date_to:
        parts.append(flt.date_from.isoformat() if flt.date_from else "start")
        parts.append(flt.date_to.isoformat() if flt.date_to else "end")
    if not flt.include_undated:
        parts.append("dated")
    return "_".join(p for p in parts if p)[:200] + FILE_SUFFIXES[fmt]


def export_events(store: "EventStore", flt: "EventFilter", fmt: str, out: str | os.PathLike[str]) -> int:
    """Query ``store`` with the EventFilter ``flt`` and write the result; rows written."""
    gdf = store.query(flt)
    count = write_export(gdf, fmt, out)
    log.info("exported %d events as %s to %s", count, fmt, out)
    return count
