"""The Map page's charts: plain Vega-Lite specs over rows already aggregated (per period and type,
per period, per governorate), never per-event rows, and the fatalities chart at any size."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from test_app import fill_store, run_app

from dashboard import charts
from geo.webmap import layers as mapping


def vega_charts(at) -> list[dict]:
    """Each chart's spec and its row count (AppTest shows vega_lite_chart as an unknown element)."""
    out = []
    for el in at.get("vega_lite_chart"):
        spec = json.loads(el.proto.spec)
        rows = el.proto.data.data  # Arrow bytes of the chart's rows
        out.append({"spec": spec, "arrow_bytes": len(rows), "key": el.proto.id})
    return out


def test_timeline_spec_is_a_plain_dict_in_the_legend_colours():
    frame = pd.DataFrame({"Battles": [3, 0, 2], "Protests": [1, 1, 0]},
                         index=pd.to_datetime(["2014-01-06", "2014-01-13", "2014-01-20"]))
    rows, spec = charts.timeline_spec(frame, "W")
    json.dumps(spec)  # plain JSON: no Altair objects
    assert spec["encoding"]["color"]["scale"] == {"domain": ["Battles", "Protests"],
                                                 "range": [mapping.TYPE_COLORS["Battles"], mapping.TYPE_COLORS["Protests"]]}
    # one row per (period, type) with events, not one per event
    assert sorted(map(tuple, rows[["period", "type", "n"]].values.tolist())) == [
        ("2014-01-06", "Battles", 3), ("2014-01-06", "Protests", 1), ("2014-01-13", "Protests", 1),
        ("2014-01-20", "Battles", 2)]


def test_governorate_and_fatality_specs():
    rows, spec = charts.governorate_spec({"Aleppo": 7, "Idlib": 2})
    assert rows.to_dict("records") == [{"governorate": "Aleppo", "events": 7}, {"governorate": "Idlib", "events": 2}]
    assert spec["encoding"]["y"]["sort"] == "-x"
    rows, spec = charts.fatalities_spec(pd.DataFrame({"fatalities": [4, 0]}, index=pd.to_datetime(["2014-01", "2014-02"])), "M")
    assert rows["fatalities"].tolist() == [4, 0] and spec["encoding"]["x"]["timeUnit"] == "yearmonth"


@pytest.fixture(scope="module")
def big_store(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "events.gpkg"
    fill_store(path, 25_000)
    return path


def test_charts_above_the_full_row_limit_come_from_store_aggregates(big_store, monkeypatch):
    """Above the map's full-row limit (aggregated map) all three charts are drawn, the fatalities
    chart too (store.day_type_counts), from a few aggregated rows."""
    at = run_app(big_store, monkeypatch)
    assert not [c for c in at.caption if "Too many events" in c.value]
    drawn = vega_charts(at)
    assert len(drawn) == 3
    fat = [c for c in drawn if c["spec"]["encoding"]["y"].get("field") == "fatalities"]
    assert fat and fat[0]["spec"]["mark"]["color"] == charts.FATALITY_COLOR
    # aggregated rows: far smaller than one row per event (25,000 events)
    assert all(c["arrow_bytes"] < 60_000 for c in drawn)


def test_the_period_choice_reruns_the_charts_alone(big_store, monkeypatch):
    """Day / week / month changes the time charts' bins (a fragment rerun: the map is not sent again)."""
    at = run_app(big_store, monkeypatch)
    units = [c["spec"]["encoding"]["x"].get("timeUnit") for c in vega_charts(at) if "timeUnit" in c["spec"]["encoding"]["x"]]
    assert units == ["yearmonth", "yearmonth"]  # eight years of events: per month
    at.selectbox(key="chart_freq").set_value("Day").run()
    assert not at.exception
    units = [c["spec"]["encoding"]["x"].get("timeUnit") for c in vega_charts(at) if "timeUnit" in c["spec"]["encoding"]["x"]]
    assert units == ["yearmonthdate", "yearmonthdate"]
    assert [m for m in at.markdown if "Events per day" in m.value]
