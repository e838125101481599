"""The ingest preview's review table: each extracted event can be accepted, rejected or edited
(type, sub-type, actors, date, place, fatalities, notes) before it is stored.

Pure functions (:func:`review_frame`, :func:`reviewed_events`) turn events into the editable
table and the edited table back into events, so they are testable without Streamlit."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Collection, Sequence
from typing import Any

import pandas as pd

from geo.errors import GeoError
from geo.models import EVENT_TYPES, SYRIA_GOVERNORATES, Event

COLUMNS = ["keep", "event_type", "sub_event_type", "actor1", "actor2", "event_date", "location", "admin1",
           "latitude", "longitude", "fatalities", "notes"]
EDITED = COLUMNS[1:]
Geocode = Callable[[str], "tuple[float, float, str, int] | None"]  # name -> (lat, lon, admin1, precision)
HAS_REVIEWED = "reviewed" in {f.name for f in dataclasses.fields(Event)}


def review_frame(events: Sequence[Event], rejected_before: Collection[str] = ()) -> pd.DataFrame:
    """The editable table: every event kept, except those an analyst rejected or deleted before
    (``rejected_before``: their ids), which start unticked."""
    rows = []
    for e in events:
        r = {c: getattr(e, c) for c in EDITED}
        r["keep"] = e.event_id not in rejected_before
        rows.append(r)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["event_date"] = pd.to_datetime(frame["event_date"], errors="coerce")
    frame["fatalities"] = pd.to_numeric(frame["fatalities"], errors="coerce").astype("Int64")
    return frame


def _value(v: Any) -> Any:
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def _date(v: Any) -> dt.date | None:
    v = _value(v)
    if v is None:
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def _changes(e: Event, row: Any, geocode: Geocode | None) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for col in ("event_type", "sub_event_type", "actor1", "actor2", "location", "admin1", "notes"):
        v = _value(row[col])
        v = "" if v is None else str(v).strip()
        if v != (getattr(e, col) or ""):
            changes[col] = v
    d = _date(row["event_date"])
    if d != e.event_date:
        changes["event_date"] = d
        changes["time_precision"] = None if d is None else (e.time_precision or 1)
    fat = _value(row["fatalities"])
    fat = None if fat is None else int(fat)
    if fat != e.fatalities:
        changes["fatalities"] = fat
    lat, lon = float(row["latitude"]), float(row["longitude"])
    moved = abs(lat - e.latitude) > 1e-7 or abs(lon - e.longitude) > 1e-7
    if moved:
        changes.update(latitude=lat, longitude=lon, geo_precision=1 if e.geo_precision == 3 else e.geo_precision)
    elif changes.get("location"):
        # a new place name without new coordinates: look it up; never guess
        found = geocode(changes["location"]) if geocode else None
        if found is None:
            raise GeoError(f"place {changes['location']!r} is not in the gazetteer: give its coordinates too")
        changes.update(latitude=found[0], longitude=found[1], geo_precision=found[3])
        if found[2] and "admin1" not in changes:
            changes["admin1"] = found[2]
    if "admin1" in changes:
        changes["admin1_code"] = SYRIA_GOVERNORATES.get(changes["admin1"], "")
    if "event_type" in changes and "sub_event_type" not in changes and e.sub_event_type not in EVENT_TYPES.get(changes["event_type"], ()):
        changes["sub_event_type"] = EVENT_TYPES[changes["event_type"]][0]
    return changes


def reviewed_events(events: Sequence[Event], edited: pd.DataFrame, geocode: Geocode | None = None,
                    rejected_before: Collection[str] = ()) -> tuple[list[Event], list[Event], list[str]]:
    """The accepted events with the analyst's edits; the rejected events; problems (row: message).

    An edited event is marked ``reviewed`` (when the schema has the field) so that a later
    re-extraction of the article does not overwrite it; so is an event ticked again after an
    analyst rejected or deleted it before (``rejected_before``), which tells the store that this
    decision wins over the earlier one. The store records the rejected ones so that a
    re-extraction does not bring them back."""
    kept: list[Event] = []
    rejected: list[Event] = []
    problems: list[str] = []
    for i, e in enumerate(events):
        row = edited.iloc[i]
        if not bool(_value(row["keep"])):
            rejected.append(e)
            continue
        try:
            changes = _changes(e, row, geocode)
            if (changes or e.event_id in rejected_before) and HAS_REVIEWED:
                changes["reviewed"] = True
            kept.append(dataclasses.replace(e, **changes) if changes else e)
        except (GeoError, ValueError, TypeError) as exc:
            problems.append(f"event {i + 1}: {exc}")
    return kept, rejected, problems
