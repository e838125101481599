"""Towns named as reference points (geo.extract.relative): roads named by their towns, "near X"."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.extract.relative import near_cue, near_towns, roads
from geo.models import Article

PUBLISHED = dt.date(2016, 3, 2)


def _spans(text: str, names: list[str]) -> list[tuple[int, int]]:
    return [(text.index(n), text.index(n) + len(n)) for n in names]


@pytest.mark.parametrize("text, names, expected", [
    ("An ambush on the Homs-Hama highway killed two.", ["Homs", "Hama"],
     {0: ("Homs-Hama highway", True), 1: ("Homs-Hama highway", False)}),
    ("A mine hit a truck on the road linking the town of Tabqa and Raqqa.", ["Tabqa", "Raqqa"],
     {0: ("road linking the town of Tabqa and Raqqa", True), 1: ("road linking the town of Tabqa and Raqqa", False)}),
    ("Gunmen stopped a bus on the old Palmyra road.", ["Palmyra"], {0: ("Palmyra road", True)}),
    ("Shells fell on the highway to Latakia.", ["Latakia"], {0: ("highway to Latakia", True)}),
    ("Clashes in Homs and Hama.", ["Homs", "Hama"], {}),
    ("Clashes between Homs and Hama fighters.", ["Homs", "Hama"], {}),
])
def test_roads_named_by_their_towns(text, names, expected):
    found = roads(text, _spans(text, names))
    assert {i: (r.detail, r.first) for i, r in found.items()} == expected


@pytest.mark.parametrize("before, near", [
    ("clashes erupted near ", True), ("on the western edge of ", True), ("on the administrative border of ", True),
    ("clashes erupted in ", False), ("the borderline ", False),
])
def test_near_cue(before, near):
    assert near_cue(before) is near


@pytest.mark.parametrize("text, location, detail", [
    ("An IED hit a bus on the road between Palmyra and Homs, killing four.", "Tadmur", "road between Palmyra and Homs"),
    ("An ambush on the Aleppo-Damascus highway killed 3 soldiers.", "Aleppo", "Aleppo-Damascus highway"),
    ("Gunmen ambushed a car on the Deir ez-Zor road on Monday.", "Deir ez-Zor", "Deir ez-Zor road"),
])
def test_an_event_on_a_road_lies_by_its_first_town_not_in_each(parser, text, location, detail):
    """A road's towns are not two events 350 km apart, each claimed to be in a town: one event,
    by the first town named (precision 2), the road kept as the detail."""
    events = parser.extract(Article("r", text, published=PUBLISHED)).events
    assert [(e.location, e.geo_precision, e.location_detail) for e in events] == [(location, 2, detail)]


@pytest.mark.parametrize("text, names, expected", [
    ("Strikes near Raqqa and Tabqa.", ["Raqqa", "Tabqa"], {0, 1}),
    ("Strikes near Raqqa, Tabqa or Mansoura.", ["Raqqa", "Tabqa", "Mansoura"], {0, 1, 2}),
    ("Strikes near Raqqa and in Tabqa.", ["Raqqa", "Tabqa"], {0}),
    ("Strikes on Raqqa and near Tabqa.", ["Raqqa", "Tabqa"], {1}),
    ("Clashes in Raqqa and Tabqa.", ["Raqqa", "Tabqa"], set()),
])
def test_a_list_that_a_near_cue_opens_is_near_throughout(text, names, expected):
    assert near_towns(text, _spans(text, names)) == expected


def test_strikes_near_two_towns_are_near_both(parser):
    text = "The coalition said it had carried out 14 strikes near Manbij and Tabqa on Monday."
    events = parser.extract(Article("n", text, published=PUBLISHED)).events
    assert sorted((e.location, e.geo_precision) for e in events) == [("Al-Tabqa", 2), ("Manbij", 2)]
