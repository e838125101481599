"""The Who's On First importer, on a small WOF-format fixture written by hand (tests/fixtures/wof)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from geo.errors import BadInputError
from geo.gazetteer import (
    Gazetteer,
    LocalGeocoder,
    default_gazetteer,
    load_admin2_polygons,
)
from geo.gazetteer.gazetteer import read_places_csv
from geo.gazetteer.wof import import_wof

FIXTURE = Path(__file__).parent / "fixtures" / "wof"


@pytest.fixture
def wof_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh GEO_GAZETTEER_DIR with the fixture imported."""
    out = tmp_path / "gazetteer-imports"
    monkeypatch.setenv("GEO_GAZETTEER_DIR", str(out))
    import_wof(FIXTURE)
    return out


@pytest.fixture
def wof_gazetteer(wof_dir: Path) -> Gazetteer:
    return default_gazetteer()


def _by_name(gaz: Gazetteer, name: str) -> list:
    return gaz.exact(name)


def test_localities_keep_all_names_in_latin_and_arabic_script(wof_gazetteer):
    (village,) = _by_name(wof_gazetteer, "Kafr Fixtura")
    for other in ("كفر فكستورة", "كفرفكستورة", "Kefer Fikstura", "Kafr Fixtoura", "Kafar Fixtura", "Kafr Fikstūra"):
        assert wof_gazetteer.exact(other) == [village], other
    assert "Кафр Фикстура" not in village.alt_names  # other scripts are not indexed (see wof.py)
    assert village.admin1 == "Idlib" and village.admin1_code == "SY-ID"
    assert village.admin2 == "Harim"
    assert village.population == 1200
    assert village.place_id.startswith("wof:")


def test_geonames_id_shared_with_a_shipped_place_gives_one_place_with_all_names(wof_gazetteer):
    harim = [p for p in wof_gazetteer.places if p.place_id == "gn:169866"]
    assert len(harim) == 1
    place = harim[0]
    assert place.name == "Ḩārim"  # the shipped name and governorate are kept
    assert "Haram Fixture-Spelling" in place.alt_names and "Harem" in place.alt_names
    assert place.admin2 == "Harim"
    assert wof_gazetteer.exact("Haram Fixture-Spelling") == [place]


def test_a_shipped_place_under_another_id_is_merged_by_name_and_distance(wof_gazetteer):
    atmeh = wof_gazetteer.exact("Atmeh")
    assert [p.place_id for p in atmeh] == ["add:atmeh"]
    assert "Fixture-Atmah" in atmeh[0].alt_names


def test_deprecated_records_are_left_out_and_historical_ones_marked(wof_gazetteer):
    assert wof_gazetteer.exact("Kafr Fixtura Old") == []
    (ruin,) = wof_gazetteer.exact("Khirbat Fixtura")
    assert ruin.feature_code == "PPLQ"
    assert wof_gazetteer.exact("Jabal Fixtura") == []  # a hill, not a locality
    assert wof_gazetteer.exact("Hayy Fixtura") == []  # a neighbourhood
    assert wof_gazetteer.exact("Old District") == []  # a deprecated county


def test_districts_are_polygons_and_every_point_gets_its_district(wof_gazetteer):
    names = sorted(u.name for u in wof_gazetteer.admin2_units)
    assert names == ["Harim", "Idlib"]  # "Markaz Idlib" is the central district: the governorate's name
    assert wof_gazetteer.admin2_of(36.20, 36.50).name == "Harim"
    assert wof_gazetteer.admin2_of(36.20, 36.50).admin1 == "Idlib"
    assert wof_gazetteer.admin2_of(34.0, 38.0) is None
    # No county in its hierarchy: the district its point falls in.
    tall = [p for p in wof_gazetteer.exact("Tall Fixtura") if p.admin1 == "Idlib"]
    assert [p.admin2 for p in tall] == ["Idlib"]
    # Shipped places without a district get one from the polygons (Salqin, in the Harim box).
    assert wof_gazetteer.exact("Salqin")[0].admin2 == "Harim"


def test_admin2_polygons_for_the_map(wof_dir):
    frame = load_admin2_polygons(wof_dir)
    assert sorted(frame["admin2"]) == ["Harim", "Idlib"]
    assert set(frame["hasc"]) == {"SY.ID.HR", "SY.ID.ID"}
    assert frame.crs.to_epsg() == 4326
    assert load_admin2_polygons(wof_dir.parent / "nothing-here") is None


def test_reimport_is_idempotent(wof_dir):
    first = {p.name: p.read_bytes() for p in wof_dir.iterdir() if not p.name.startswith(".")}
    import_wof(FIXTURE)
    second = {p.name: p.read_bytes() for p in wof_dir.iterdir() if not p.name.startswith(".")}
    assert first.keys() == second.keys() == {"wof_SY.csv", "admin2_SY.geojson", "wof_SY.json"}
    assert first["wof_SY.csv"] == second["wof_SY.csv"]
    assert first["admin2_SY.geojson"] == second["admin2_SY.geojson"]
    rows = read_places_csv(wof_dir / "wof_SY.csv")
    assert len({r.place_id for r in rows}) == len(rows)


def test_without_an_import_the_shipped_gazetteer_is_unchanged(tmp_path, monkeypatch):
    monkeypatch.setenv("GEO_GAZETTEER_DIR", str(tmp_path / "empty"))
    gaz = default_gazetteer()
    assert gaz.admin2_units == [] and gaz.admin2_of(36.2, 36.5) is None
    assert gaz.exact("Kafr Fixtura") == []


def test_the_geocoder_uses_the_import(wof_gazetteer):
    location = LocalGeocoder(wof_gazetteer).geocode("Kafr Fixtoura")
    assert location.raw["admin2"] == "Harim"
    assert location.raw["admin1"] == "Idlib"


def test_load_cache_is_rebuilt_when_an_import_changes(wof_dir):
    before = default_gazetteer()
    summary = json.loads((wof_dir / "wof_SY.json").read_text(encoding="utf-8"))
    assert summary["localities"] == 6 and summary["districts"] == 2 and summary["historical"] == 1
    (wof_dir / "wof_SY.csv").write_text((wof_dir / "wof_SY.csv").read_text(encoding="utf-8").replace(
        "Kafr Fixtoura", "Kafr Fixtourah Changed"), encoding="utf-8")
    after = default_gazetteer()
    assert after is not before
    assert after.exact("Kafr Fixtourah Changed") and not after.exact("Kafr Fixtoura")


def test_not_a_wof_repository_is_refused(tmp_path):
    with pytest.raises(BadInputError, match="data/"):
        import_wof(tmp_path, out_dir=tmp_path / "out")
    shutil.copytree(FIXTURE / "data" / "910" / "000" / "011", tmp_path / "repo" / "data")
    with pytest.raises(BadInputError, match="no localities"):
        import_wof(tmp_path / "repo", out_dir=tmp_path / "out")
    assert not (tmp_path / "out" / "wof_SY.csv").exists()
