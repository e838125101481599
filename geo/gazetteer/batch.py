"""Geocoding many names: JSON lines with hints per row, and an analyst's CSV.

- :func:`geocode_lines`: ``python -m geo geocode -``. Each input line is a plain name, or a JSON
  object ``{"name": ..., "admin1": ..., "country": ..., "near": [lat, lon], "kind": ...}`` whose
  hints apply to that row only (on top of the command's own). One JSON object out per line in.
- :func:`geocode_csv`: ``python -m geo geocode --csv IN.csv --name-column location
  [--admin1-column admin1] -o OUT.csv``. Every input row is written, in order, unchanged, with
  the columns latitude, longitude, admin1, admin2, precision, match and candidates added (prefixed
  ``geo_`` when the input already has a column of that name).

Answers are memoised per (name, hints): a spreadsheet repeats its places.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from geo.errors import BadInputError, GeocodeError, ValidationError
from geo.gazetteer.geocoder import (
    LocalGeocoder,
    Resolution,
    candidate_record,
    location_record,
)
from geo.models import check_latlon

log = logging.getLogger(__name__)

HINT_KEYS = ("admin1", "country", "near", "kind")
CSV_COLUMNS = ("latitude", "longitude", "admin1", "admin2", "precision", "match", "candidates")
MAX_CANDIDATES = 5


class _Memo:
    """The geocoder's resolutions, memoised per (name, hints)."""

    def __init__(self, geocoder: LocalGeocoder) -> None:
        self.geocoder = geocoder
        self._seen: dict[tuple, Resolution] = {}

    def resolve(self, name: str, hints: dict[str, Any]) -> Resolution:
        key = (name.strip(), tuple(sorted((k, str(v)) for k, v in hints.items() if v is not None)))
        if key not in self._seen:
            self._seen[key] = self.geocoder.resolve(name, **{k: v for k, v in hints.items() if v is not None})
        return self._seen[key]


def parse_line(line: str) -> tuple[str, dict[str, Any]]:
    """(name, hints) of one input line: a plain name, or a JSON object with a name and hints."""
    text = line.strip()
    if not text.startswith("{"):
        return line.rstrip("\r\n"), {}
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise BadInputError(f"not a JSON object: {exc}") from exc
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
        raise BadInputError('a JSON line needs a "name" string')
    unknown = set(obj) - {"name", *HINT_KEYS}
    if unknown:
        raise BadInputError(f"unknown keys {sorted(unknown)}; expected name and {', '.join(HINT_KEYS)}")
    hints = {k: obj[k] for k in HINT_KEYS if obj.get(k) is not None}
    if "near" in hints:
        near = hints["near"]
        if not (isinstance(near, list) and len(near) == 2 and all(isinstance(x, (int, float)) for x in near)):
            raise BadInputError('"near" must be [latitude, longitude]')
        try:
            check_latlon(near[0], near[1])
        except ValidationError as exc:
            raise BadInputError(f'"near": {exc}') from exc
        hints["near"] = (float(near[0]), float(near[1]))
    return obj["name"], hints


def resolution_record(name: str, resolution: Resolution | None) -> dict[str, Any]:
    """:func:`location_record` plus how it was decided (match) and the candidates weighed."""
    record = location_record(name, resolution.location if resolution else None)
    record["match"] = resolution.reason if resolution else None
    record["candidates"] = [candidate_record(c) for c in resolution.candidates[:MAX_CANDIDATES]] if resolution else []
    return record


def geocode_lines(geocoder: LocalGeocoder, lines: Iterable[str], **defaults: Any) -> Iterator[dict[str, Any]]:
    """One record per input line (see the module docstring); a bad line gives a record with "error"."""
    memo = _Memo(geocoder)
    for line_no, line in enumerate(lines, start=1):
        try:
            name, hints = parse_line(line)
            resolution = memo.resolve(name, {**defaults, **hints}) if name.strip() else None
            yield resolution_record(name, resolution)
        except (BadInputError, GeocodeError) as exc:
            record = resolution_record(line.rstrip("\r\n"), None)
            record["error"] = f"line {line_no}: {exc}"
            yield record


def _candidates_cell(resolution: Resolution) -> str:
    return "; ".join(
        f"{c.place.name} ({', '.join(x for x in (c.place.admin2, c.place.admin1, c.place.country_code) if x)}; "
        f"{c.place.latitude:.5f}, {c.place.longitude:.5f})"
        for c in resolution.candidates[:MAX_CANDIDATES])


def geocode_csv(
    geocoder: LocalGeocoder,
    source: TextIO,
    out: TextIO,
    *,
    name_column: str,
    admin1_column: str | None = None,
    **defaults: Any,
) -> dict[str, int]:
    """Geocode a CSV (see the module docstring); returns counts of rows, resolved and empty names."""
    reader = csv.reader(source)
    header = next(reader, None)
    if header is None:
        raise BadInputError("the CSV is empty (no header row)")
    for column in (name_column, admin1_column):
        if column and column not in header:
            raise BadInputError(f"no column {column!r} in the CSV (columns: {', '.join(header)})")
    name_at = header.index(name_column)
    admin1_at = header.index(admin1_column) if admin1_column else None
    clash = any(c in header for c in CSV_COLUMNS)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header + [f"geo_{c}" if clash else c for c in CSV_COLUMNS])
    memo = _Memo(geocoder)
    counts = {"rows": 0, "resolved": 0, "empty": 0}
    for row in reader:
        counts["rows"] += 1
        # Short rows are padded so that the added columns line up under the header; a long row's extra
        # cells are kept after them.
        values, extra = row[: len(header)] + [""] * (len(header) - len(row)), row[len(header):]
        name = values[name_at].strip()
        if not name:
            counts["empty"] += 1
            writer.writerow(values + [""] * len(CSV_COLUMNS) + extra)
            continue
        hints = dict(defaults)
        if admin1_at is not None and values[admin1_at].strip():
            hints["admin1"] = values[admin1_at].strip()
        try:
            resolution = memo.resolve(name, hints)
        except GeocodeError as exc:
            writer.writerow([*values, "", "", "", "", "", f"error: {exc}", "", *extra])
            continue
        loc = resolution.location
        if loc is None:
            writer.writerow([*values, "", "", "", "", "", resolution.reason, _candidates_cell(resolution), *extra])
            continue
        counts["resolved"] += 1
        writer.writerow([*values, f"{loc.latitude:.6f}", f"{loc.longitude:.6f}", loc.raw["admin1"] or "",
                         loc.raw.get("admin2") or "", loc.raw["geo_precision"], resolution.reason,
                         _candidates_cell(resolution), *extra])
    return counts
