"""The one text fold: names and running text fold alike (geo.gazetteer.names), so every gazetteer
name written in a sentence is found by the toponym finder, Turkish and Nordic letters included."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.extract.lexicon import NON_LOCATION_CONTEXTS
from geo.extract.toponyms import COMMON_WORDS, NOT_LOCATIONS, ToponymFinder
from geo.gazetteer import Gazetteer, is_arabic, name_key
from geo.gazetteer.names import fold_chars, fold_token, fold_tokens
from geo.models import Place


@pytest.fixture(scope="module")
def finder(gazetteer: Gazetteer) -> ToponymFinder:
    return ToponymFinder(gazetteer)


@pytest.mark.parametrize("name", ["Ceylanpınar", "Kızıltepe", "Nusaybin", "Akçakale"])
def test_turkish_border_towns_found_in_running_text(finder, name):
    text = f"Shells landed in {name} on Tuesday, officials said."
    found = finder.find(text)
    assert [f.surface for f in found] == [name]


@pytest.mark.parametrize("name,key", [
    ("Ceylanpınar", "ceylanpinar"), ("Straße", "strase"), ("Tromsø", "tromso"), ("Ærø", "aero"),
    ("Ma'arrat al-Nu'man", "marat numan"), ("Maarrat an Numan", "marat numan"), ("Raqqah", "raqa"),
    ("Deir ez-Zor", "deir zor"), ("Ra's al 'Ayn", "ras ayn"), ("الرقة", "رقه"), ("As", "as"),
])
def test_name_key_examples(name, key):
    assert name_key(name) == key


def test_text_tokens_fold_like_names():
    tokens = fold_tokens("In Aleppo's east, al-Bab and KIZILTEPE (Mardin)…")
    assert [t for t, _, _ in tokens] == ["in", "alepo", "east", "bab", "and", "kiziltepe", "mardin"]
    assert tokens[1][1:] == (3, 11)  # the original span includes the possessive


def test_decomposed_text_folds_like_composed():
    assert fold_chars("Ceylanpi\u0307nar") == fold_chars("Ceylanpinar")
    assert fold_token("Kafr\u0301") == fold_token("Kafr")


def _searchable_names(gazetteer: Gazetteer, finder: ToponymFinder) -> list[str]:
    names = set()
    for place in gazetteer.places:
        if not finder._searchable(place):
            continue
        for name in gazetteer.names_of(place):
            key = name_key(name)
            if len(key) < 3 or key in NOT_LOCATIONS or key in COMMON_WORDS or not finder.searches(key):
                continue
            if not (name[:1].isupper() or is_arabic(name[:1])):
                continue  # the finder wants capitals in English text
            if not any(fold_token(t) for t in name.split()):
                continue  # a name made only of articles ("As") is never a place in running text
            names.add(name)
    return sorted(names)


TEMPLATES = [
    "Fighting was reported in {} on Friday.",
    "Warplanes struck {}, killing five people.",
    "\"{}\" was shelled again",
    "Residents of {} fled north (witnesses said).",
    "{}",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_gazetteer_name_in_a_sentence_is_found(gazetteer, finder, data):
    names = _searchable_names_cached(gazetteer, finder)
    name = data.draw(st.sampled_from(names))
    template = data.draw(st.sampled_from(TEMPLATES))
    text = template.format(name)
    start = text.index(name)
    end = start + len(name)
    if any(m.start() < end and m.end() > start for m in NON_LOCATION_CONTEXTS.finditer(text)):
        return  # organisation-like names ("... Brigade") are masked on purpose
    found = finder.find(text)
    # Found: the name itself, or a longer gazetteer name that contains it.
    assert any(f.start <= start + 1 and f.end >= end - 1 for f in found), (name, text, found)


_CACHE: dict[int, list[str]] = {}


def _searchable_names_cached(gazetteer, finder):
    if id(gazetteer) not in _CACHE:
        _CACHE[id(gazetteer)] = _searchable_names(gazetteer, finder)
    return _CACHE[id(gazetteer)]


def test_finder_over_a_tiny_gazetteer_uses_the_same_fold():
    places = [Place(place_id="t1", name="Ceylanpınar", latitude=36.85, longitude=40.05, country_code="TR",
                    admin1="Şanlıurfa", kind="populated_place", population=80000),
              Place(place_id="t2", name="Bærum", latitude=59.9, longitude=10.5, country_code="NO",
                    kind="populated_place", population=120000)]
    finder = ToponymFinder(Gazetteer.from_places(places))
    found = finder.find("Reports from CEYLANPINAR and Baerum, then from Ceylanpinar's market.")
    assert [f.surface for f in found] == ["CEYLANPINAR", "Baerum", "Ceylanpinar"]


@pytest.mark.parametrize("text, names", [
    ("the veteran Bab town", ["Bab"]),  # not "an Bab": a name starts at a word
    ("a caravan al-Bab road", ["al-Bab"]),
    ("toward the Ras al-Ain crossing", ["Ras al-Ain"]),
])
def test_cue_names_start_at_a_word(finder, text, names):
    assert [name for name, _, _ in finder.cue_names(text)] == names
