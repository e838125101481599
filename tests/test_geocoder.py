"""The geocoder: transliteration-tolerant names, hints, kinds, and names that must not resolve."""

from __future__ import annotations

import pytest
from geopy.location import Location

from geo.errors import GeocodeError
from geo.gazetteer.gazetteer import haversine_km
from geo.gazetteer.geocoder import LocalGeocoder

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
    # A loose (skeleton/fuzzy) spelling needs support: here the governorate.
    got = geocoder.geocode(variant, admin1=expected.raw["admin1"])
    assert got is not None, variant
    assert got.raw["place_id"] == expected.raw["place_id"]
    listed = geocoder.geocode(variant, exactly_one=False)
    assert expected.raw["place_id"] in [c.raw["place_id"] for c in listed]
    bare = geocoder.geocode(variant)
    assert bare is None or bare.raw["place_id"] == expected.raw["place_id"]
    if bare is None:  # refused only because the match is loose
        assert listed[0].raw["match"] in ("skeleton", "fuzzy")


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
    # Namesakes 90 km apart in two governorates, 100 and 50 people: nothing to choose between them.
    assert geocoder.geocode("Qaryat Beta") is None
    assert {c.raw["place_id"] for c in geocoder.geocode("Qaryat Beta", exactly_one=False)} == {"t:2", "t:3"}
    assert geocoder.geocode("Qaryat Beta", admin1="Idlib").raw["place_id"] == "t:2"
    assert geocoder.geocode("Qaryat Beta", admin1="Aleppo").raw["place_id"] == "t:3"
    assert geocoder.geocode("Manbij") is None  # not in this gazetteer


# -- focus country, --country, no guessing (issue 10) ---------------------------------------------

# Names whose only entries are small places abroad, and names that must not be answered abroad:
# each (query, hints, countries an answer may be in; empty: no answer at all).
FOREIGN_NAMESAKES = [
    ("Hadar", {}, set()),  # only Al Hadar, Iraq (no population): not notable
    ("Hadar", {"country": "SY"}, set()),  # --country restricts: never Iraq
    ("Sayda", {"admin1": "Daraa"}, set()),  # the hint says Syria's Daraa: never Sidon, Lebanon
    ("Kilis", {"admin1": "Aleppo"}, set()),  # nor Kilis, Turkey
    ("Qiryat Shmona", {}, set()),  # 22,512 people: below the notable line
    ("Tall Afar", {}, set()),
    ("Karkamis", {}, set()),
    ("Halba", {}, set()),
    ("Ceylanpinar", {}, set()),
    ("Sinjar", {}, {"SY"}),  # the name exists in Syria: never Sinjar, Iraq, without a hint
    ("Kilis", {}, {"TR"}),  # notable (111,648): a bare name may mean it
    ("Sidon", {}, {"LB"}),
    ("Zakho", {}, {"IQ"}),
]


@pytest.mark.parametrize("query,hints,allowed", FOREIGN_NAMESAKES)
def test_no_wrong_answer_for_foreign_namesakes(geocoder, query, hints, allowed):
    location = geocoder.geocode(query, **hints)
    if not allowed:
        assert location is None, location and location.raw
    else:
        assert location is not None and location.raw["country_code"] in allowed


# Loose spellings: never the answer without a governorate or a point to support them.
NEAR_MISSES = [("Manbijjah", "Aleppo"), ("Jarablous", "Aleppo"), ("Qamishly", "Hasakah"), ("Sarakib", "Idlib")]


@pytest.mark.parametrize("query,admin1", NEAR_MISSES)
def test_near_misses_need_support(geocoder, query, admin1):
    listed = geocoder.geocode(query, exactly_one=False)
    assert listed, query
    assert listed[0].raw["match"] in ("skeleton", "fuzzy")
    assert geocoder.geocode(query) is None
    supported = geocoder.geocode(query, admin1=admin1)
    assert supported is not None and supported.raw["admin1"] == admin1
    assert geocoder.geocode(query, admin1="Daraa") is None  # the wrong governorate supports nothing


def test_country_restricts_like_nominatim_country_codes(geocoder):
    assert geocoder.geocode("Akcakale") is None  # 32,114 people in Turkey: not notable
    assert geocoder.geocode("Akcakale", country="TR").raw["country_code"] == "TR"
    assert geocoder.geocode("Akcakale", country=["sy", "tr"]).raw["country_code"] == "TR"
    assert geocoder.geocode("Kilis", country="SY") is None
    assert geocoder.geocode("Kilis", country="SY", exactly_one=False) == []
    assert geocoder.geocode("Sinjar", country="IQ").raw["country_code"] == "IQ"
    for loc in geocoder.geocode("Sinjar", country="SY,TR", exactly_one=False):
        assert loc.raw["country_code"] in ("SY", "TR")


def _unit(gazetteer, code):
    return next(u for u in gazetteer.admin1_units if u.code == code)


@pytest.fixture(scope="module")
def namesakes(gazetteer):
    """Made-up villages: namesakes near, far in one governorate, far in two, a dominant town, and a
    name shared by a Syrian hamlet and a large Turkish town."""
    from geo.gazetteer import Gazetteer
    from geo.models import Place

    places = [
        Place("n:1", "Tall Namesake", "populated_place", "SY", 36.10, 37.00, "Aleppo", "SY-HL"),
        Place("n:2", "Tall Namesake", "populated_place", "SY", 36.55, 37.90, "Aleppo", "SY-HL"),  # 95 km
        Place("n:3", "Kafr Twin", "populated_place", "SY", 36.10, 37.00, "Aleppo", "SY-HL"),
        Place("n:4", "Kafr Twin", "populated_place", "SY", 36.15, 37.05, "Aleppo", "SY-HL"),  # 7 km
        Place("n:5", "Ayn Split", "populated_place", "SY", 36.10, 37.00, "Aleppo", "SY-HL"),
        Place("n:6", "Ayn Split", "populated_place", "SY", 35.90, 36.60, "Idlib", "SY-ID"),
        Place("n:7", "Madinat Big", "populated_place", "SY", 36.10, 37.00, "Aleppo", "SY-HL", population=120_000),
        Place("n:8", "Madinat Big", "populated_place", "SY", 35.90, 36.60, "Idlib", "SY-ID", population=300),
        Place("n:9", "Borderia", "populated_place", "SY", 36.30, 37.40, "Aleppo", "SY-HL"),
        Place("n:11", "Suq Seat", "populated_place", "SY", 36.10, 37.00, "Aleppo", "SY-HL"),
        Place("n:12", "Suq Seat", "populated_place", "SY", 35.90, 36.60, "Idlib", "SY-ID", feature_code="PPLA3"),
        Place("n:10", "Borderia", "populated_place", "TR", 37.07, 37.38, "Gaziantep", "TR-27", population=400_000),
        Place("admin1:SY-HL", "Aleppo", "admin1", "SY", 36.23, 37.60, "Aleppo", "SY-HL"),
        Place("admin1:SY-ID", "Idlib", "admin1", "SY", 35.80, 36.55, "Idlib", "SY-ID"),
    ]
    units = [_unit(gazetteer, c) for c in ("SY-HL", "SY-ID", "TR-27")]
    return LocalGeocoder(Gazetteer.from_places(places, units), focus="SY")


def test_namesakes_far_apart_in_one_governorate_give_the_governorate(namesakes):
    location = namesakes.geocode("Tall Namesake")
    assert location.raw["kind"] == "admin1" and location.raw["admin1"] == "Aleppo"
    assert location.raw["geo_precision"] == 3
    assert location.raw["match"] == "ambiguous"
    assert {c["place_id"] for c in location.raw["candidates"]} == {"n:1", "n:2"}
    assert {loc.raw["place_id"] for loc in namesakes.geocode("Tall Namesake", exactly_one=False)} == {"n:1", "n:2"}


def test_namesakes_in_two_governorates_give_nothing_but_candidates(namesakes):
    assert namesakes.geocode("Ayn Split") is None
    resolution = namesakes.resolve("Ayn Split")
    assert resolution.reason == "namesakes in different governorates"
    assert {c.place.place_id for c in resolution.candidates} == {"n:5", "n:6"}


def test_hints_choose_between_namesakes(namesakes):
    assert namesakes.geocode("Ayn Split", admin1="Idlib").raw["place_id"] == "n:6"
    assert namesakes.geocode("Ayn Split", admin1="SY-HL").raw["place_id"] == "n:5"
    assert namesakes.geocode("Ayn Split", near=(35.92, 36.62)).raw["place_id"] == "n:6"
    assert namesakes.geocode("Tall Namesake", near=(36.5, 37.9)).raw["place_id"] == "n:2"


def test_close_namesakes_and_a_dominant_town_give_one_answer(namesakes):
    assert namesakes.geocode("Kafr Twin").raw["place_id"] in ("n:3", "n:4")  # 7 km apart: one place
    assert namesakes.geocode("Madinat Big").raw["place_id"] == "n:7"  # 120,000 vs 300 people
    assert namesakes.geocode("Suq Seat").raw["place_id"] == "n:12"  # a subdistrict seat vs a village


def test_focus_country_wins_unless_a_hint_says_otherwise(namesakes):
    assert namesakes.geocode("Borderia").raw["country_code"] == "SY"  # a hamlet, but in the focus country
    assert namesakes.geocode("Borderia", country="TR").raw["place_id"] == "n:10"
    assert namesakes.geocode("Borderia", admin1="Gaziantep").raw["place_id"] == "n:10"
    assert namesakes.geocode("Borderia", near=(37.0, 37.4)).raw["place_id"] == "n:10"
    assert namesakes.geocode("Borderia", focus="TR").raw["place_id"] == "n:10"
    listed = namesakes.geocode("Borderia", exactly_one=False)
    assert [loc.raw["country_code"] for loc in listed] == ["SY", "TR"]  # focus country first


def test_focus_comes_from_the_environment(gazetteer, monkeypatch):
    monkeypatch.setenv("GEO_FOCUS", "TR")
    assert LocalGeocoder(gazetteer).geocode("Sinjar") is None  # Turkey has none; Iraq's is small
    monkeypatch.setenv("GEO_FOCUS", "IQ")
    assert LocalGeocoder(gazetteer).geocode("Sinjar").raw["country_code"] == "IQ"


# -- batch: JSON lines with hints per row, and the analyst's CSV ------------------------------------

def test_json_lines_carry_hints_per_row(monkeypatch, capsys):
    import io
    import json

    from geo.cli import main

    lines = [
        "Suran",  # a plain line stays a plain name
        '{"name": "Suran", "admin1": "Aleppo"}',
        '{"name": "Suran", "near": [35.29, 36.75]}',
        '{"name": "Akcakale", "country": "TR"}',
        "",
        '{"name": "Hadar", "country": "SY"}',
        '{"name": "X", "near": [99, 1]}',
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["geocode", "-"]) == 1  # one bad line: reported, the others answered
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(out) == len(lines)
    assert [r["name"] for r in out[:6]] == ["Suran", "Suran", "Suran", "Akcakale", "", "Hadar"]
    assert out[1]["admin1"] == "Aleppo" and out[2]["admin1"] == "Hama"
    assert out[3]["country"] == "Turkey"
    assert out[4]["latitude"] is None and out[5]["latitude"] is None
    assert "latitude 99" in out[6]["error"]
    assert out[1]["match"] == "exact" and {c["admin1"] for c in out[1]["candidates"]} >= {"Aleppo", "Hama"}


def test_csv_batch_keeps_every_row_in_order(tmp_path, capsys):
    import csv

    from geo.cli import main

    src = tmp_path / "in.csv"
    rows = [
        ["id", "place", "gov", "note"],
        ["1", "Manbij", "Aleppo", "a, quoted note"],
        ["2", "", "", "no name"],
        ["3", "Suran", "Aleppo", ""],
        ["4", "Suran", "Hama", ""],
        ["5", "Xyzabad", "Idlib", "unknown"],
        ["6", "Manbij", "", "repeated"],
        ["7", "Hadar", "Quneitra"],  # a short row
        ["8", "Tabqa", "Raqqa", "", "extra cell"],
    ]
    with open(src, "w", newline="", encoding="utf-8-sig") as fh:  # with a BOM, as spreadsheets write
        csv.writer(fh).writerows(rows)
    out = tmp_path / "out.csv"
    assert main(["geocode", "--csv", str(src), "--name-column", "place", "--admin1-column", "gov", "-o", str(out)]) == 0
    with open(out, newline="", encoding="utf-8") as fh:
        got = list(csv.reader(fh))
    assert got[0] == rows[0] + ["latitude", "longitude", "admin1", "admin2", "precision", "match", "candidates"]
    assert len(got) == len(rows)
    for want, have in zip(rows[1:], got[1:], strict=True):  # same rows, same order, cells unchanged
        assert have[:4] == (want + [""])[:4]
    assert got[8][-1] == "extra cell"
    by_id = {r[0]: dict(zip(got[0], r, strict=False)) for r in got[1:]}
    assert by_id["1"]["admin1"] == "Aleppo" and by_id["1"]["precision"] == "1" and by_id["1"]["match"] == "exact"
    assert by_id["2"]["latitude"] == "" and by_id["2"]["match"] == ""
    assert by_id["3"]["admin1"] == "Aleppo" and by_id["4"]["admin1"] == "Hama"
    assert by_id["5"]["latitude"] == "" and by_id["5"]["match"] == "unknown name"
    assert by_id["6"]["latitude"] == by_id["1"]["latitude"]
    assert by_id["7"]["latitude"] == "" and "Quneitra" in by_id["7"]["match"]  # never Al Hadar, Iraq
    assert "IQ" in by_id["7"]["candidates"]
    assert by_id["8"]["admin1"] == "Raqqa"


def test_csv_batch_prefixes_added_columns_that_clash_and_refuses_a_missing_column(tmp_path, capsys):
    import csv

    from geo.cli import main

    src = tmp_path / "in.csv"
    src.write_text("location,latitude\nManbij,1.0\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["geocode", "--csv", str(src), "--name-column", "location", "-o", str(out)]) == 0
    header, row = list(csv.reader(out.open(encoding="utf-8")))
    assert header[:2] == ["location", "latitude"] and header[2] == "geo_latitude"
    assert row[1] == "1.0" and float(row[2]) > 36
    assert main(["geocode", "--csv", str(src), "--name-column", "nope", "-o", str(tmp_path / "x.csv")]) == 1
    assert "no column 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_farther_than_agrees_with_the_great_circle():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from geo.gazetteer.geocoder import farther_than

    @settings(max_examples=500, deadline=None)
    @given(st.floats(-60, 60), st.floats(-170, 170), st.floats(-0.6, 0.6), st.floats(-0.6, 0.6),
           st.sampled_from([5.0, 25.0, 50.0]))
    def check(lat, lon, dlat, dlon, km):
        a, b = (lat, lon), (lat + dlat, lon + dlon)
        assert farther_than(a, b, km) == (haversine_km(a, b) > km)

    check()


# Near misses of real keys (letters dropped, doubled, changed or added), long and short, and
# keys no gazetteer name is near: the fuzzy tier compares only the keys whose length can reach
# the cut-off, and must still find exactly what a comparison with every key of the initial finds.
@pytest.mark.parametrize("query", [
    "maarat numan", "marat nuuman", "maarat al nuumanx", "saraqeb", "sarakib", "kafr nubbl", "jisr shugur",
    "deir ezzour", "abu kamal", "tal abyad", "tall abiad", "raas al ayn", "qamishly", "aleppo", "alepo",
    "dara", "idleb", "hamah", "zzzzzzzz", "euphrates river", "syrian north", "coalition", "a",
    # matches three letters longer or shorter ("haifa district" scores exactly the cut-off, 88)
    "haifa distr", "syrian arab repub", "syrian arab republicaaa", "palestinian teritor", "jerusalem districtaaa",
])
def test_fuzzy_matches_are_those_of_every_key_with_the_initial(geocoder, gazetteer, query):
    from rapidfuzz import fuzz, process

    from geo.gazetteer.geocoder import FUZZY_MIN_RATIO

    same_initial = [k for k in gazetteer.keys if k[0] == query[0]]
    expected = [(k, ratio) for k, ratio, _ in process.extract(
        query, same_initial, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_RATIO, limit=5)]
    assert geocoder._fuzzy_matches(query) == expected
