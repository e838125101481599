"""Gazetteer data and loading: coverage, governorates, point-in-polygon, GeoNames import, user places."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from geo.errors import BadInputError, GazetteerError
from geo.gazetteer.gazetteer import DATA_DIR, Gazetteer, add_user_place, read_places_csv
from geo.gazetteer.geocoder import LocalGeocoder
from geo.models import SYRIA_GOVERNORATES
from geo.gazetteer.names import name_key, skeleton_key


def test_all_fourteen_governorates_have_polygons_and_english_names(gazetteer):
    syrian = {u.code: u.name for u in gazetteer.admin1_units if u.country_code == "SY"}
    assert syrian == {code: name for name, code in SYRIA_GOVERNORATES.items()}


def test_neighbours_are_covered(gazetteer):
    countries = {p.country_code for p in gazetteer.places}
    assert {"SY", "TR", "IQ", "LB", "JO", "IL", "PS"} <= countries
    syrian_towns = [p for p in gazetteer.places if p.country_code == "SY" and p.kind == "populated_place"]
    assert len(syrian_towns) >= 300


def test_every_entry_has_a_kind_and_syrian_places_a_governorate(gazetteer):
    for place in gazetteer.places:
        assert place.kind in ("country", "admin1", "admin2", "populated_place")
        if place.country_code == "SY" and place.kind != "country":
            assert place.admin1 in SYRIA_GOVERNORATES, place
            assert place.admin1_code == SYRIA_GOVERNORATES[place.admin1]


def test_additions_have_sources():
    with open(DATA_DIR / "additions.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {"add:atmeh", "add:sarmada"} <= {r["place_id"] for r in rows}
    assert all(r["source"].strip() for r in rows)


@pytest.mark.parametrize("lat,lon,code", [
    (36.5281, 37.9549, "SY-HL"),  # Manbij
    (35.8367, 38.5481, "SY-RA"),  # Tabqa
    (36.3111, 36.6864, "SY-ID"),  # Atmeh
    (33.5138, 36.2765, "SY-DI"),  # Damascus old city
    (33.1250, 35.8240, "SY-QU"),  # Quneitra (UNDOF zone merged in)
    (36.7167, 37.1167, "TR-79"),  # Kilis, Turkey
])
def test_point_in_polygon(gazetteer, lat, lon, code):
    assert gazetteer.admin1_of(lat, lon).code == code


def test_nearest_polygon_within_5km_for_border_points(gazetteer):
    # A point in the sea 2 km off Latakia's coast still belongs to Latakia; one 60 km out does not.
    assert gazetteer.admin1_of(35.52, 35.74).code == "SY-LA"
    assert gazetteer.admin1_of(35.52, 35.10) is None


def test_missing_gazetteer_gives_a_clear_error(tmp_path):
    with pytest.raises(GazetteerError, match="build_gazetteer"):
        Gazetteer.load(tmp_path)


@pytest.mark.parametrize("a,b", [
    ("Raqqa", "Raqqah"), ("Deir ez-Zor", "Deir al-Zor"), ("Ma'arrat al-Nu'man", "Ma`arrat an Nu`man"),
    ("Ḩamāh", "Hama"), ("AL-BAB", "al Bab"), ("Tell Abyad", "Tel Abyad"),
])
def test_name_key_folds_transliteration(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize("a,b", [("Idlib", "Idleb"), ("Menbij", "Manbij"), ("Dayr az Zawr", "Deir ez-Zor")])
def test_skeleton_key_merges_vowel_variants(a, b):
    assert skeleton_key(a) == skeleton_key(b)




def _geonames_row(gid, name, alts, lat, lon, fclass, fcode, cc, a1, pop):
    return "\t".join([str(gid), name, name, ",".join(alts), str(lat), str(lon), fclass, fcode, cc, "",
                      a1, "", "", "", str(pop), "", "300", "Asia/Damascus", "2020-01-01"])


def test_geonames_dump_import_merges_places(tmp_path, gazetteer):
    from geo.gazetteer.geonames import import_geonames

    dump = tmp_path / "SY.txt"
    dump.write_text("\n".join([
        _geonames_row(9000001, "Al Lataminah", ["Latamneh", "Lataminah", "اللطامنة"], 35.3200, 36.6236, "P", "PPL",
                      "SY", "10", 13000),
        _geonames_row(9000002, "Jabal Test", [], 35.0, 36.0, "T", "MT", "SY", "10", 0),  # not a place: skipped
        _geonames_row(9000003, "Khirbat Test", ["Khirbet Test"], 36.0, 37.0, "P", "PPLQ", "SY", "09", 0),
        "broken\tline",
    ]) + "\n", encoding="utf-8")
    out_dir = tmp_path / "gaz"
    for name in ("places.csv", "admin1.geojson", "additions.csv"):
        (out_dir / name).parent.mkdir(exist_ok=True)
        (out_dir / name).write_bytes((DATA_DIR / name).read_bytes())
    out, count, problems = import_geonames(dump, out_dir=out_dir, gazetteer=gazetteer)
    assert count == 2
    assert len(problems) == 1 and "columns" in problems[0]
    rows = read_places_csv(out)
    assert {r.place_id for r in rows} == {"gn:9000001", "gn:9000003"}
    merged = Gazetteer.load(out_dir, user_path=tmp_path / "none.csv")
    location = LocalGeocoder(merged).geocode("Latamneh")
    assert location.raw["place_id"] == "gn:9000001"
    assert location.raw["admin1"] == "Hama"


def test_geonames_import_rejects_a_file_with_no_places(tmp_path, gazetteer):
    from geo.gazetteer.geonames import import_geonames

    bad = tmp_path / "empty.txt"
    bad.write_text("not a dump\n", encoding="utf-8")
    with pytest.raises(BadInputError):
        import_geonames(bad, out_dir=tmp_path, gazetteer=gazetteer)


def test_user_place_is_stored_and_used(tmp_path, gazetteer):
    user = tmp_path / "user.csv"
    place = add_user_place("Kafr Testiyeh", 35.70, 36.60, gazetteer=gazetteer, path=user, note="analyst check")
    assert place.admin1 == "Idlib"
    directory = Path(DATA_DIR)
    reloaded = Gazetteer.load(directory, user_path=user)
    assert LocalGeocoder(reloaded).geocode("Kafr Testiyeh").raw["place_id"] == place.place_id
    assert json.loads(json.dumps(place.source))  # plain text source recorded


def test_the_package_exports_every_name_it_lists():
    """geo.gazetteer loads its modules on first use: each listed name resolves, to the object of
    the module that defines it, and a name it does not list is an AttributeError."""
    import importlib

    import geo.gazetteer as package

    module_of = {name: module for module, names in package.SUBMODULE_NAMES.items() for name in names}
    assert set(package.__all__) == set(module_of)
    for name in package.__all__:
        assert getattr(package, name) is getattr(importlib.import_module(f"geo.gazetteer.{module_of[name]}"), name)
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018
