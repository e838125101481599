"""Canonical actors (one ACLED-style name per actor) and ACLED interaction codes; states' forces
named by their weapons fill actor1."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.extract import canonical_actor, interaction_code
from geo.models import Article

ALIASES = [
    (["IS", "ISIL", "ISIS", "Daesh", "Islamic State", "islamic state (isil)"], "Islamic State (Syria)"),
    (["SDF", "QSD", "Syrian Democratic Forces"], "SDF: Syrian Democratic Forces"),
    (["HTS", "Nusra Front", "Jabhat al-Nusra", "Hay'at Tahrir al-Sham"], "Hayat Tahrir al Sham"),
    (["regime forces", "Syrian government forces", "SAA", "Government of Syria",
      "Military Forces of Syria (2000-)", "Military Forces of Syria (2011-2024)"], "Military Forces of Syria (2000-)"),
    (["Russian forces", "Russia"], "Military Forces of Russia (2000-)"),
    (["Turkish forces", "Turkish artillery"], "Military Forces of Turkey (2016-)"),
]


@pytest.mark.parametrize("aliases,canonical", ALIASES, ids=[c for _, c in ALIASES])
def test_aliases_share_one_canonical_name(aliases, canonical):
    assert {canonical_actor(a) for a in aliases} == {canonical}


def test_unknown_names_are_kept():
    assert canonical_actor("  Liwa  Example ") == "Liwa Example"
    assert canonical_actor("") == ""


@pytest.mark.parametrize("a1,a2,code", [
    ("regime forces", "rebels", 12), ("ISIS", "SDF", 22), ("SAA", "civilians", 17), ("Russian forces", "", 80),
    ("Turkish forces", "SDF", 28), ("Hezbollah", "ISIL", 23), ("Civilians", "", 70), ("Somebody", "ISIS", None),
])
def test_interaction_codes(a1, a2, code):
    assert interaction_code(a1, a2) == code


@pytest.mark.parametrize("sentence,actor1", [
    ("Russian and Syrian warplanes struck Saraqib on Monday.",
     {"Military Forces of Russia (2000-)", "Military Forces of Syria (2000-)"}),
    ("Turkish artillery shelled Tal Rifaat, killing two people.", "Military Forces of Turkey (2016-)"),
    ("Syrian helicopters dropped barrel bombs on Daraya.", "Military Forces of Syria (2000-)"),
])
def test_state_forces_named_by_their_weapons_fill_actor1(parser, sentence, actor1):
    events = parser.extract(Article("a", sentence, published=dt.date(2016, 3, 1))).events
    assert events and events[0].actor1 in (actor1 if isinstance(actor1, set) else {actor1})
    assert events[0].interaction is not None


STATES = {"Military Forces of Turkey (2016-)", "Military Forces of Russia (2000-)", "Military Forces of Iran (1989-)",
          "Military Forces of Israel (1948-)"}


@pytest.mark.parametrize("sentence", [
    "Shelling killed three civilians in Jarablus, near the border with Turkey, on Monday.",
    "Rebels clashed with regime forces in Saraqib before fleeing to Turkey.",
    "Fighters who arrived from Iran last month were killed in an air strike on Palmyra.",
    "A car bomb exploded in Azaz, a town bordering Turkey, killing four people.",
])
def test_a_foreign_state_named_as_a_place_is_not_an_actor(parser, sentence):
    events = parser.extract(Article("a", sentence, published=dt.date(2016, 3, 1))).events
    assert events
    assert not {a for e in events for a in (e.actor1, e.actor2)} & STATES


@pytest.mark.parametrize("sentence,actor1", [
    ("Turkey shelled Tal Rifaat on Monday, killing two people.", "Military Forces of Turkey (2016-)"),
    ("On Monday Russia bombed Saraqib, near the border with Turkey.", "Military Forces of Russia (2000-)"),
])
def test_a_foreign_state_as_the_doer_stays_the_actor(parser, sentence, actor1):
    events = parser.extract(Article("a", sentence, published=dt.date(2016, 3, 1))).events
    assert events and events[0].actor1 == actor1


@pytest.mark.parametrize("text, actor1", [
    ("A member of the Sham Legion was killed by a regime sniper near Saraqib.", "Syrian government forces"),
    ("Two civilians were killed by ISIS gunmen in Raqqa.", "ISIL"),
])
def test_a_passive_verbs_agent_is_actor1(parser, text, actor1):
    events = parser.extract(Article("p", text, published=dt.date(2016, 5, 2))).events
    assert [e.actor1 for e in events] == [canonical_actor(actor1)]

