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
