"""The geocoder: transliteration-tolerant names, hints, kinds, and names that must not resolve."""

from __future__ import annotations

import pytest
from geopy.location import Location

from geo.errors import GeocodeError
from geo.gazetteer.gazetteer import haversine_km

# True positions (Wikipedia/GeoNames coordinates of the town centres) and governorates.
KNOWN_PLACES = [
    ("Manbij", 36.5281, 37.9549, "Aleppo"),
    ("Atmeh", 36.3111, 36.6864, "Idlib"),
    ("Tabqa", 35.8367, 38.5481, "Raqqa"),
    ("At-Tabqah", 35.8367, 38.5481, "Raqqa"),
    ("Madinat al-Thawra", 35.8367, 38.5481, "Raqqa"),
    ("Aleppo", 36.2021, 37.1343, "Aleppo"),
    ("Idlib", 35.9306, 36.6339, "Idlib"),
    ("Hama", 35.1318, 36.7578, "Hama"),
    ("Raqqa", 35.9594, 39.0078, "Raqqa"),
    ("Homs", 34.7324, 36.7137, "Homs"),
    ("Deir ez-Zor", 35.3359, 40.1408, "Deir ez-Zor"),
    ("Azaz", 36.5866, 37.0463, "Aleppo"),
    ("Jarablus", 36.8175, 38.0114, "Aleppo"),
    ("al-Bab", 36.3706, 37.5157, "Aleppo"),
    ("Saraqib", 35.8647, 36.8006, "Idlib"),
    ("Maarrat al-Numan", 35.6433, 36.6706, "Idlib"),
    ("Kobani", 36.8906, 38.3536, "Aleppo"),
    ("Ayn al-Arab", 36.8906, 38.3536, "Aleppo"),
    ("Qusayr", 34.5089, 36.5797, "Homs"),
    ("Yabroud", 33.9672, 36.6572, "Rural Damascus"),
    ("Douma", 33.5833, 36.4000, "Rural Damascus"),
    ("Daraa", 32.6189, 36.1021, "Daraa"),
    ("Qamishli", 37.0522, 41.2311, "Hasakah"),
    ("Hasakah", 36.5024, 40.7477, "Hasakah"),
    ("Palmyra", 34.5601, 38.2675, "Homs"),
    ("Tadmur", 34.5601, 38.2675, "Homs"),
    ("Latakia", 35.5196, 35.7831, "Latakia"),
    ("Tartus", 34.8890, 35.8866, "Tartus"),
    ("Afrin", 36.5119, 36.8692, "Aleppo"),
    ("Tal Abyad", 36.6975, 38.9567, "Raqqa"),
    ("Ras al-Ayn", 36.8503, 40.0706, "Hasakah"),
    ("Sarmada", 36.1833, 36.7167, "Idlib"),
]

# Spellings of the same places as they appear in news and data sets.
VARIANTS = [
    ("Raqqah", "Raqqa"), ("Rakka", "Raqqa"), ("Ar-Raqqa", "Raqqa"),
    ("Dayr az Zawr", "Deir ez-Zor"), ("Deir al-Zour", "Deir ez-Zor"), ("Deir Ezzor", "Deir ez-Zor"),
    ("Idleb", "Idlib"), ("Menbij", "Manbij"), ("Manbej", "Manbij"), ("Ḩamāh", "Hama"), ("HAMA", "Hama"),
    ("Ma'arrat al-Nu'man", "Maarrat al-Numan"), ("Maarat al-Numaan", "Maarrat al-Numan"),
    ("الطبقة", "Tabqa"), ("منبج", "Manbij"), ("Atme", "Atmeh"), ("Atma", "Atmeh"), ("اطمه", "Atmeh"),
    ("Tell Abyad", "Tal Abyad"), ("Ras al-Ain", "Ras al-Ayn"), ("Jisr ash-Shughour", "Jisr al-Shughur"),
    ("Qamishly", "Qamishli"), ("Al-Qusayr", "Qusayr"),
]

# Names that are not places here: each must give nothing rather than a wrong town.
NOT_PLACES = ["Hamas", "Levant", "Daesh", "Paris", "London", "Washington", "Tabriz", "Xyzabad",
              "Saqba", "Jobar", "Springfield", "Kremlin"]


@pytest.mark.parametrize("name,lat,lon,admin1", KNOWN_PLACES)
def test_known_places_resolve_within_10km_and_right_governorate(geocoder, name, lat, lon, admin1):
    location = geocoder.geocode(name)
    assert isinstance(location, Location), name
    assert haversine_km((lat, lon), (location.latitude, location.longitude)) <= 10
    assert location.raw["admin1"] == admin1
    assert location.raw["country"] == "Syria"


@pytest.mark.parametrize("variant,canonical", VARIANTS)
def test_spelling_variants_resolve_to_the_same_place(geocoder, variant, canonical):
    expected = geocoder.geocode(canonical)
    got = geocoder.geocode(variant)
    assert got is not None, variant
    assert got.raw["place_id"] == expected.raw["place_id"]


@pytest.mark.parametrize("name", NOT_PLACES)
def test_near_misses_and_non_places_do_not_resolve(geocoder, name):
    assert geocoder.geocode(name) is None
    assert geocoder.geocode(name, exactly_one=False) == []


def test_raw_carries_the_contract_fields(geocoder):
    raw = geocoder.geocode("Tabqa").raw
    for key in ("place_id", "kind", "admin1", "admin1_code", "country", "population", "matched_name", "score",
                "geo_precision"):
        assert key in raw
    assert raw["admin1_code"] == "SY-RA"
    assert raw["kind"] == "populated_place"
    assert raw["geo_precision"] == 1
    assert 0 < raw["score"] <= 1


@pytest.mark.parametrize("query,kind,precision", [
    ("Aleppo", "populated_place", 1),
    ("the province of Aleppo", "admin1", 3),
    ("Aleppo province", "admin1", 3),
    ("Aleppo governorate", "admin1", 3),
    ("the town of Aleppo", "populated_place", 1),
    ("Rural Damascus", "admin1", 3),
    ("Rif Dimashq", "admin1", 3),
    ("Syria", "country", 3),
])
def test_feature_kind_follows_the_words_of_the_query(geocoder, query, kind, precision):
    location = geocoder.geocode(query)
    assert location.raw["kind"] == kind
    assert location.raw["geo_precision"] == precision


def test_kind_argument_overrides_default(geocoder):
    assert geocoder.geocode("Idlib", kind="admin1").raw["kind"] == "admin1"
    assert geocoder.geocode("Idlib").raw["kind"] == "populated_place"


def test_hints_rerank_ambiguous_names(geocoder):
    # Two Syrian places are called Suran: a town in Hama and a village in Aleppo.
    default = geocoder.geocode("Suran")
    assert default.raw["admin1"] == "Hama"  # the larger one
    hinted = geocoder.geocode("Suran", admin1="Aleppo")
    assert hinted.raw["admin1"] == "Aleppo"
    near = geocoder.geocode("Suran", near=(36.3, 37.2))
    assert near.raw["admin1"] == "Aleppo"
    candidates = geocoder.geocode("Suran", exactly_one=False)
    assert {c.raw["admin1"] for c in candidates} >= {"Hama", "Aleppo"}


def test_border_town_outside_syria_resolves_to_its_country(geocoder):
    kilis = geocoder.geocode("Kilis")
    assert kilis.raw["country"] == "Turkey"
    mosul = geocoder.geocode("Mosul")
    assert mosul.raw["country"] == "Iraq"


def test_empty_query_is_an_error(geocoder):
    with pytest.raises(GeocodeError):
        geocoder.geocode("   ")


def test_tiny_injected_gazetteer(tiny_gazetteer):
    from geo.gazetteer.geocoder import LocalGeocoder

    geocoder = LocalGeocoder(tiny_gazetteer)
    assert geocoder.geocode("Alpha Village").raw["place_id"] == "t:1"
    assert geocoder.geocode("Qaryat Beta").raw["place_id"] == "t:2"  # larger population
    assert geocoder.geocode("Qaryat Beta", admin1="Aleppo").raw["place_id"] == "t:3"
    assert geocoder.geocode("Manbij") is None  # not in this gazetteer
