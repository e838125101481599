"""Towns named as reference points (geo.extract.relative): roads named by their towns, "near X"."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.extract.relative import (
    NEAR_CUES,
    NEAR_WORDS,
    address_after,
    near_cue,
    near_towns,
    references,
    roads,
)
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
    ("positions near the border town of ", True), ("outside the northern city of ", True),
    ("in the border town of ", False),
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


@pytest.mark.parametrize("text, town, expected", [
    ("Shells hit the Idlib town of Saraqib.", "Idlib", ("place", "Saraqib town")),
    ("Shells hit the Aleppo district of Sheikh Maqsoud.", "Aleppo", ("part", "Sheikh Maqsoud district")),
    ("Shells hit the Damascus suburb of al-Nashabiyah.", "Damascus", ("suburb", "al-Nashabiyah suburb")),
    ("Shells hit the Hama countryside village of Kafr Nabouda.", "Hama", ("place", "Kafr Nabouda village")),
    ("Shells hit Idlib and the town of Saraqib.", "Idlib", None),
    ("Shells hit Idlib, a town of 100,000 people.", "Idlib", None),
    ("Airstrikes hit Deir Ezzor's al-Mayadin.", "Deir Ezzor", ("place", "al-Mayadin")),
    ("Clashes in eastern Aleppo’s Sakhour district.", "Aleppo", ("part", "Sakhour district")),
    ("Rebels shelled Hama's countryside.", "Hama", None),
])
def test_a_town_as_the_address_of_the_place_after_it(text, town, expected):
    found = address_after(text, text.index(town) + len(town))
    assert (found and (found.kind, found.detail)) == expected or (found is None and expected is None)


@pytest.mark.parametrize("text, expected", [
    ("Shells hit the Idlib town of Saraqib, killing two.", [("Saraqib", 1, None)]),
    ("Shells hit the Aleppo district of Sheikh Maqsoud, killing two.", [("Aleppo", 2, "Sheikh Maqsoud district")]),
    ("Shells hit the Damascus suburb of Zamalka, killing two.", [("Damascus", 2, "Zamalka suburb")]),
    ("Shells hit the Hama village of Kafr Nabouda, killing two.", [("Hama", 3, "Kafr Nabouda village")]),
    ("Airstrikes hit Deir Ezzor's al-Mayadin, killing 9.", [("Al Mayādīn", 1, None)]),
    ("Regime barrel bombs fell on Kafr Batna in Eastern Ghouta, killing two.", [("Kafr Baţnā", 1, None)]),
])
def test_an_address_places_the_event_at_the_place_it_addresses(parser, text, expected):
    """"The Idlib town of Saraqib" is Saraqib, not also Idlib city; "the Hama village of X" that
    the gazetteer lacks is somewhere in Hama governorate, not Hama city."""
    events = parser.extract(Article("a", text, published=PUBLISHED)).events
    assert [(e.location, e.geo_precision, e.location_detail or None) for e in events] == expected


@pytest.mark.parametrize("text, names, expected", [
    ("Clashes in Saraqib, east of Idlib.", ["Saraqib", "Idlib"], {1}),
    ("Shelling hit Binnish (10 km northeast of Idlib city).", ["Binnish", "Idlib"], {1}),
    ("Clashes in Saraqib and east of Idlib.", ["Saraqib", "Idlib"], set()),
])
def test_a_place_that_only_says_where_the_one_before_is(text, names, expected):
    assert references(text, _spans(text, names)) == expected


@pytest.mark.parametrize("text, expected", [
    ("Clashes erupted in Saraqib, east of Idlib, on Monday.", [("Saraqib", 1)]),
    ("Clashes erupted in Kansafra, south of Ariha, on Monday.", [("Arīḩā", 2)]),  # Kansafra unknown: by Ariha
    ("Officials in Saraqib said shelling killed 3 in Binnish.", [("Binnish", 1)]),
    ("Rebels clashed with government forces in Saraqib.", [("Saraqib", 1)]),
    ("Unknown gunmen kidnapped a journalist in Saraqib.", [("Saraqib", 1)]),
])
def test_reference_points_and_where_it_was_said_are_no_events_of_their_own(parser, text, expected):
    events = parser.extract(Article("r", text, published=PUBLISHED)).events
    assert [(e.location, e.geo_precision) for e in events] == expected


def test_every_near_cue_holds_a_near_word():
    """The pipeline asks for near towns only in a sentence with a NEAR_WORDS word."""
    assert all(any(w in cue for w in NEAR_WORDS) for cue in NEAR_CUES)
    assert all(any(w in cue for w in NEAR_WORDS) for cue in ("near the border town of ", "outside the city of ",
                                                             "around the villages of "))
