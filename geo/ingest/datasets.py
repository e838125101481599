"""ACLED and UCDP GED exports mapped onto the Event schema. Each file is one article, its rows
streamed into one transaction; every row is counted: an event, or skipped or failed with its
reason (grouped by reason in the summary, the first rows listed with their line numbers).

Places: a row is drawn only where the dataset puts it. UCDP rows coded to the country or beyond
(``where_prec`` 6-7) and rows coded to a region larger than a governorate (``where_prec`` 4-5)
that name no known governorate carry the coordinates of a country centroid, not of the event:
they are skipped with the reason "no usable place", not drawn in the desert. ACLED rows without
coordinates, or at region precision (3) naming neither a governorate nor a location, likewise.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import json
import logging
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from geo.dates import parse_date
from geo.errors import BadInputError, GeoError
from geo.gazetteer import DATA_DIR, name_key
from geo.ingest.rows import (
    MAX_ROW_MESSAGES,
    LineSource,
    Problem,
    check_size,
    csv_header,
    csv_rows,
    path_text,
)
from geo.models import EVENT_TYPES, SYRIA_GOVERNORATES, Article, Event, stable_id

log = logging.getLogger(__name__)

DEFAULT_DATASET_MAX_BYTES = 2 * 1024**3  # whole-country exports run to hundreds of MB; streamed
MAX_FATALITIES = 1_000_000  # more in one coded event is a data error (and overflows some readers)


# ---------------------------------------------------------------------------------------
# Governorate names (the gazetteer's admin-1 names and aliases)
# ---------------------------------------------------------------------------------------

_ADMIN1_SUFFIX = re.compile(r"\b(governorate|province|muhafazat|mohafazat)\b", re.IGNORECASE)


def _admin1_key(name: str) -> str:
    return name_key(_ADMIN1_SUFFIX.sub(" ", name))


@lru_cache(maxsize=1)
def _admin1_index() -> dict[str, str]:
    """name key -> one of SYRIA_GOVERNORATES, from the gazetteer's admin1.geojson aliases."""
    index: dict[str, set[str]] = {_admin1_key(n): {n} for n in SYRIA_GOVERNORATES}
    try:
        features = json.loads((DATA_DIR / "admin1.geojson").read_text(encoding="utf-8"))["features"]
    except (OSError, ValueError, KeyError) as exc:
        log.warning("governorate aliases not loaded (%s): only the 14 English names are recognised", exc)
        features = []
    for feature in features:
        props = feature.get("properties") or {}
        name = props.get("admin1")
        if props.get("country_code") != "SY" or name not in SYRIA_GOVERNORATES:
            continue
        for alias in [name, *(props.get("aliases") or "").split("|")]:
            if alias.strip():
                index.setdefault(_admin1_key(alias), set()).add(name)
    # A key two governorates share names neither.
    return {key: next(iter(names)) for key, names in index.items() if key and len(names) == 1}


def normalize_admin1(name: str | None) -> str | None:
    """One of the 14 names in SYRIA_GOVERNORATES for a source's spelling, None if unknown."""
    if not name or not name.strip():
        return None
    return _admin1_index().get(_admin1_key(name))


def _admin1(raw: str) -> tuple[str, str]:
    name = normalize_admin1(raw)
    if name is None:
        # Kept as given (so nothing is lost), but without an ISO code the dashboard's
        # governorate filter will not match it; the importer reports how many.
        return raw.strip(), ""
    return name, SYRIA_GOVERNORATES[name]


# ---------------------------------------------------------------------------------------
# Row values
# ---------------------------------------------------------------------------------------


class RowSkip(Exception):
    """A dataset row that is not an event on purpose (outside Syria, no usable place)."""


class RowFail(Exception):
    """A dataset row whose values are wrong (not a number, not a date); the message says why."""


def _number(value: str | None, name: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RowFail(f"{name} {value!r} is not a number") from None
    if not math.isfinite(number):
        raise RowFail(f"{name} {value!r} is not a finite number")
    return number


def _int(value: str | None, name: str, low: int, high: int) -> int | None:
    if value is None or not str(value).strip():
        return None
    number = _number(value, name)
    if not (low <= number <= high) or number != int(number):
        raise RowFail(f"{name} {value!r} is not a whole number in {low}..{high}")
    return int(number)


class DateCache:
    """Datasets repeat a few thousand dates over a million rows: parse each string once."""

    def __init__(self) -> None:
        self._cache: dict[str, dt.date | str] = {}

    def __call__(self, value: str, name: str = "date") -> dt.date:
        if value not in self._cache:
            try:
                self._cache[value] = parse_date(value, what=name) or f"{name} is missing"
            except ValueError as exc:
                self._cache[value] = str(exc)
        parsed = self._cache[value]
        if isinstance(parsed, str):
            raise RowFail(parsed)
        return parsed


def _check_syria(country: str) -> None:
    if country and country.strip().lower() not in ("syria", "syrian arab republic"):
        raise RowSkip("outside Syria")


# ---------------------------------------------------------------------------------------
# ACLED and UCDP GED rows
# ---------------------------------------------------------------------------------------


def acled_event(row: dict[str, str], article_id: str, dates: DateCache) -> Event:
    """An ACLED export row (lower-case column names) as an Event; RowSkip/RowFail if unusable."""
    _check_syria(row.get("country", ""))
    event_id = (row.get("event_id_cnty") or row.get("event_id") or "").strip()
    if not event_id:
        raise RowFail("no event_id_cnty")
    event_type = row.get("event_type", "").strip()
    sub_event_type = row.get("sub_event_type", "").strip()
    if event_type not in EVENT_TYPES:
        raise RowFail(f"unknown event_type {event_type!r}")
    if sub_event_type not in EVENT_TYPES[event_type]:
        raise RowFail(f"sub_event_type {sub_event_type!r} is not a sub-type of {event_type!r}")
    if not row.get("latitude", "").strip() or not row.get("longitude", "").strip():
        raise RowSkip("no usable place (no coordinates)")
    admin1, admin1_code = _admin1(row.get("admin1", ""))
    geo_precision = _int(row.get("geo_precision"), "geo_precision", 1, 3) or 3
    location = row.get("location", "").strip()
    if geo_precision == 3 and not admin1_code and not location:
        raise RowSkip("no usable place (region precision without a governorate or location)")
    return Event(
        event_id=event_id,
        event_date=dates(row.get("event_date", ""), "event_date"),
        time_precision=_int(row.get("time_precision"), "time_precision", 1, 3) or 1,
        event_type=event_type,
        sub_event_type=sub_event_type,
        actor1=row.get("actor1", "").strip(),
        actor2=row.get("actor2", "").strip(),
        country="Syria",
        admin1=admin1,
        admin1_code=admin1_code,
        location=location,
        latitude=_number(row.get("latitude"), "latitude"),
        longitude=_number(row.get("longitude"), "longitude"),
        geo_precision=geo_precision,
        fatalities=_int(row.get("fatalities"), "fatalities", 0, MAX_FATALITIES),
        notes=row.get("notes", "").strip(),
        article_id=article_id,
        source=row.get("source", "").strip(),
        confidence=1.0,  # a curated dataset: coded by people, not guessed
        admin2=row.get("admin2", "").strip(),
        interaction=_int(row.get("interaction"), "interaction", 0, 99),
        source_ref=f"acled:{event_id}",
    )


_UCDP_TYPES = {
    1: ("Battles", "Armed clash"),  # state-based conflict
    2: ("Battles", "Armed clash"),  # non-state conflict
    3: ("Violence against civilians", "Attack"),  # one-sided violence
}
_UCDP_PLACE_SUFFIX = re.compile(r"\s+(town|village|city|district|governorate|province)$", re.IGNORECASE)


def _ucdp_time_precision(row: dict[str, str], start: dt.date, end: dt.date | None) -> int:
    date_prec = _int(row.get("date_prec"), "date_prec", 1, 5)
    if date_prec is not None:
        return 1 if date_prec <= 1 else 2 if date_prec <= 3 else 3
    if end is None or end <= start:
        return 1
    return 2 if (end - start).days <= 7 else 3


def ucdp_event(row: dict[str, str], article_id: str, dates: DateCache) -> Event:
    """A UCDP GED row (lower-case column names) as an Event; RowSkip/RowFail if unusable."""
    _check_syria(row.get("country", ""))
    ged_id = row.get("id", "").strip()
    if not ged_id:
        raise RowFail("no id")
    start = dates(row.get("date_start", ""), "date_start")
    end_raw = row.get("date_end", "").strip()
    end = dates(end_raw, "date_end") if end_raw else None
    violence = _int(row.get("type_of_violence"), "type_of_violence", 0, 99)
    if violence not in _UCDP_TYPES:
        raise RowFail(f"type_of_violence {violence} is not 1, 2 or 3")
    event_type, sub_event_type = _UCDP_TYPES[violence]
    where_prec = _int(row.get("where_prec"), "where_prec", 1, 7) or 3
    admin1, admin1_code = _admin1(row.get("adm_1", ""))
    if where_prec >= 6:
        raise RowSkip("no usable place (UCDP where_prec 6-7: country level or beyond)")
    if where_prec >= 4 and not admin1_code:
        raise RowSkip("no usable place (UCDP where_prec 4-5 without a known governorate)")
    return Event(
        event_id=f"UCDP-{ged_id}",
        event_date=start,
        time_precision=_ucdp_time_precision(row, start, end),
        event_type=event_type,
        sub_event_type=sub_event_type,
        actor1=row.get("side_a", "").strip(),
        actor2=row.get("side_b", "").strip(),
        country="Syria",
        admin1=admin1,
        admin1_code=admin1_code,
        location=_UCDP_PLACE_SUFFIX.sub("", row.get("where_coordinates", "").strip()),
        latitude=_number(row.get("latitude"), "latitude"),
        longitude=_number(row.get("longitude"), "longitude"),
        geo_precision=min(where_prec, 3),
        fatalities=_int(row.get("best"), "best", 0, MAX_FATALITIES),
        # The source headline is the event's provenance text (the popup shows notes).
        notes=row.get("source_headline", "").strip() or row.get("source_article", "").strip(),
        article_id=article_id,
        source=row.get("source_office", "").strip() or "UCDP GED",
        confidence=1.0,
        admin2=_UCDP_PLACE_SUFFIX.sub("", row.get("adm_2", "").strip()),
        source_ref=f"ucdp:{ged_id}",
    )


@dataclass(frozen=True)
class DatasetFormat:
    name: str
    label: str
    required: tuple[str, ...]
    to_event: Callable[[dict[str, str], str, DateCache], Event]
    id_column: str


DATASET_FORMATS: dict[str, DatasetFormat] = {
    "acled": DatasetFormat(
        "acled", "ACLED", ("event_date", "event_type", "sub_event_type", "latitude", "longitude"),
        acled_event, "event_id_cnty",
    ),
    "ucdp": DatasetFormat(
        "ucdp", "UCDP GED", ("id", "date_start", "type_of_violence", "latitude", "longitude"),
        ucdp_event, "id",
    ),
}


# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------


def file_fingerprint(path: Any, display: str, max_bytes: int | None) -> tuple[str, int, str]:
    """(sha256, size, encoding) of a dataset file, read in chunks; BadInputError if unusable."""
    try:
        size = path.stat().st_size
        check_size(size, max_bytes, display)
        digest = hashlib.sha256()
        utf8 = codecs.getincrementaldecoder("utf-8")()
        is_utf8 = True
        has_text = False
        sample = b""
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                sample = sample or chunk
                if b"\x00" in chunk:
                    raise BadInputError("binary file (contains NUL bytes), not CSV", path=display)
                has_text = has_text or bool(chunk.strip())
                if is_utf8:
                    try:
                        utf8.decode(chunk)
                    except UnicodeDecodeError:
                        is_utf8 = False
    except OSError as exc:
        raise BadInputError(f"cannot read file: {exc.strerror or exc}", path=display) from exc
    if not has_text:
        raise BadInputError("empty file", path=display)
    encoding = "utf-8-sig"
    if not is_utf8:
        from charset_normalizer import from_bytes

        best = from_bytes(sample).best()
        if best is None:
            raise BadInputError("undecodable text: not UTF-8 and no other encoding fits", path=display)
        encoding = best.encoding
    return digest.hexdigest(), size, encoding


@dataclass
class DatasetRows:
    """Streams a dataset file's rows as Events, counting every other row by its reason."""

    path: Any
    display: str
    fmt: DatasetFormat
    article_id: str
    encoding: str
    problems: list[Problem] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    rows_failed: int = 0
    unknown_admin1: Counter[str] = field(default_factory=Counter)
    events: int = 0
    progress: Any = None

    @property
    def rows_skipped(self) -> int:
        return sum(self.skipped.values())

    def _fail(self, label: str, reason: str) -> None:
        self.rows_failed += 1
        if self.rows_failed <= MAX_ROW_MESSAGES:
            self.problems.append(Problem(self.display, f"{label}: {reason}; row not imported", "failed"))

    def _header(self, lines: LineSource, reader: Iterator[list[str]]) -> list[str]:
        names = csv_header(lines, reader, self.display)
        if self.fmt.name == "acled" and "event_id_cnty" not in names and "event_id" not in names:
            raise BadInputError("no event_id_cnty column: not an ACLED export", path=self.display)
        missing = [c for c in self.fmt.required if c not in names]
        if missing:
            raise BadInputError(f"missing {self.fmt.label} column(s) {', '.join(missing)}", path=self.display)
        return names

    def __iter__(self) -> Iterator[Event]:
        dates = DateCache()
        seen: dict[str, int] = {}
        with self.path.open("r", encoding=self.encoding, newline="", errors="strict") as fh:
            lines = LineSource(fh)
            reader = csv.reader(lines, strict=True)
            rows = csv_rows(lines, reader, self._header(lines, reader))
            while True:
                try:
                    row = next(rows)
                except StopIteration:
                    break
                except UnicodeDecodeError as exc:
                    raise BadInputError(f"undecodable text after line {lines.line} ({exc.reason})",
                                        path=self.display) from exc
                if self.progress is not None and row.number % 10_000 == 0:
                    self.progress.set_postfix_str(f"{row.number:,} rows", refresh=False)
                if row.record is None:
                    self._fail(row.label, row.problem)
                    continue
                try:
                    event = self.fmt.to_event(row.record, self.article_id, dates)
                except RowSkip as exc:
                    self.skipped[str(exc)] += 1
                    continue
                except (RowFail, GeoError) as exc:
                    self._fail(row.label, str(exc))
                    continue
                if event.event_id in seen:
                    self._fail(row.label, f"duplicate event id {event.event_id!r} (first in row {seen[event.event_id]})")
                    continue
                seen[event.event_id] = row.number
                if not event.admin1_code:
                    self.unknown_admin1[event.admin1] += 1
                self.events += 1
                yield event
        self._finish()

    def _finish(self) -> None:
        if self.rows_failed > MAX_ROW_MESSAGES:
            self.problems.append(Problem(
                self.display, f"... and {self.rows_failed - MAX_ROW_MESSAGES} more rows not imported", "failed"))
        for reason, n in sorted(self.skipped.items()):
            self.problems.append(Problem(self.display, f"{n} rows skipped: {reason}", "warning"))
        if self.unknown_admin1:
            names = ", ".join(f"{k or '(blank)'} ({v})" for k, v in sorted(self.unknown_admin1.items()))
            self.problems.append(
                Problem(self.display, f"governorate not recognised, kept as given: {names}", "warning"))
        if self.events == 0:
            # Raised inside the store transaction: an export with nothing usable must not
            # replace events already stored from an earlier version of the file.
            raise BadInputError(f"no usable {self.fmt.label} rows", path=self.display)


def dataset_article_id(fmt: str, path: Any) -> str:
    """The id of the article standing for a dataset file: its format and real absolute path."""
    return stable_id(fmt, path_text(os.path.realpath(path)))


def dataset_article(path: Any, fmt: DatasetFormat, digest: str, size: int) -> Article:
    """The Article standing for one dataset file: its content hash follows the file's bytes."""
    name = path_text(path.name)
    return Article(
        article_id=dataset_article_id(fmt.name, path),
        text=f"{fmt.label} export {name}: {size} bytes, sha256 {digest}",
        title=name,
        source=fmt.label,
    )
