"""Query results as frames: one GeoDataFrame layout for both stores (columns from EVENT_SCHEMA)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo.dates import parse_date
from geo.models import EVENT_COLUMNS, EVENT_FIELDS

if TYPE_CHECKING:
    import geopandas as gpd


def _date_objects(values: Sequence[str | None]) -> np.ndarray:
    # Dates repeat a lot (thousands of distinct days for a million events): parse each once.
    cache: dict[str | None, dt.date | None] = {None: None}
    out = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        parsed = cache.get(value, cache)
        if parsed is cache:
            parsed = parse_date(value, what="stored event_date", bounded=False)
            cache[value] = parsed  # type: ignore[index]
        out[i] = parsed
    return out


def columns_frame(rows: Sequence[Sequence[Any]], columns: Sequence[str] = EVENT_FIELDS) -> pd.DataFrame:
    """A DataFrame of ``columns`` (EVENT_FIELDS names, in that order in each row), each typed by
    EVENT_SCHEMA: dates as ``datetime.date`` objects, nullable ints as ``Int64``, text as
    ``object`` holding Python ``str`` (building pandas' Arrow-backed ``str`` columns costs more
    than the query itself at 100k rows, and the dashboard and exports read values, not buffers)."""
    if rows:
        table = np.array(rows, dtype=object)  # the transpose in C: faster than zip(*rows)
    else:
        table = np.empty((0, len(columns)), dtype=object)
    data: dict[str, Any] = {}
    for i, name in enumerate(columns):
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
    return pd.DataFrame(data)


def events_frame(rows: Sequence[Sequence[Any]]) -> gpd.GeoDataFrame:
    """A GeoDataFrame (EPSG:4326, EVENT_FIELDS + geometry) from rows in EVENT_FIELDS order (typed
    as :func:`columns_frame` types them)."""
    frame = columns_frame(rows)
    import geopandas as gpd  # on first use: the dashboard's map reads plain frames (columns_frame)

    geometry = gpd.points_from_xy(frame["longitude"], frame["latitude"], crs="EPSG:4326")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")
