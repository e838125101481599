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
from geo.models import Place

FIXTURE = Path(__file__).parent / "fixtures" / "wof"


@pytest.fixture(scope="module")
def imported_once(tmp_path_factory: pytest.TempPathFactory, gazetteer: Gazetteer) -> Path:
    """The fixture imported once (with its load cache built) for the module's tests to copy."""
    out = tmp_path_factory.mktemp("wof-import") / "imports"
    import_wof(FIXTURE, out_dir=out, gazetteer=gazetteer)
    return out


@pytest.fixture
def wof_dir(imported_once: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh GEO_GAZETTEER_DIR holding the imported fixture (a copy: tests may change it)."""
    out = tmp_path / "gazetteer-imports"
    shutil.copytree(imported_once, out)  # copy2: mtimes kept, so the load cache stays valid
    monkeypatch.setenv("GEO_GAZETTEER_DIR", str(out))
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


def test_a_record_repeating_a_geonames_town_nearby_is_merged_into_it(wof_gazetteer):
    # WOF's records without a GeoNames id (from Quattroshapes) repeat GeoNames towns a few km off.
    (ruin,) = wof_gazetteer.exact("Khirbat Fixtura")
    assert ruin.place_id == "gn:99000104"
    assert wof_gazetteer.exact("Khirbet Fixtura") == [ruin]


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


def test_reimport_is_idempotent(wof_dir, gazetteer):
    first = {p.name: p.read_bytes() for p in wof_dir.iterdir() if not p.name.startswith(".")}
    import_wof(FIXTURE, gazetteer=gazetteer)
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
    assert summary["localities"] == 7 and summary["districts"] == 2 and summary["historical"] == 1
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


# -- gazetteer download: a local HTTP server serves a tarball built from the fixture ----------------

@pytest.fixture(scope="module")
def served_tarball(tmp_path_factory):
    """(base URL, sha256) of a GitHub-style tarball of the fixture served on 127.0.0.1."""
    import hashlib
    import http.server
    import tarfile
    import threading

    root = tmp_path_factory.mktemp("served")
    tarball = root / "wof.tar.gz"
    with tarfile.open(tarball, "w:gz") as tar:  # GitHub's layout: one top folder named repo-commit
        tar.add(FIXTURE, arcname="whosonfirst-data-admin-xx-0123abcd")
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    (root / "commit.json").write_text(json.dumps({"sha": "0123abcd"}), encoding="utf-8")

    handler = lambda *a, **kw: http.server.SimpleHTTPRequestHandler(*a, directory=str(root), **kw)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", digest
    server.shutdown()


@pytest.fixture
def pin(tmp_path):
    path = tmp_path / "wof_pin.json"
    path.write_text(json.dumps({"repository": "example/whosonfirst-data-admin-xx", "commit": "0123abcd",
                                "sha256": None}), encoding="utf-8")
    return path


def test_download_checks_and_imports(served_tarball, pin, tmp_path):  # the whole path, no shortcut
    from geo.gazetteer import download_wof

    base, digest = served_tarball
    out = tmp_path / "imports"
    summary = download_wof(out_dir=out, pin_path=pin, url=f"{base}/wof.tar.gz", sha256=digest)
    assert summary["localities"] == 7 and summary["districts"] == 2
    assert digest in summary["source"]
    gaz = Gazetteer.load(import_dir=out)
    assert gaz.exact("Kafr Fixtoura")[0].admin2 == "Harim"


@pytest.mark.parametrize("matches", [True, False])
def test_download_checks_the_pinned_data_tree(served_tarball, tmp_path, matches):
    """Without a tarball checksum, the pinned digest of the data/ tree decides (a pin made offline)."""
    from geo.errors import GazetteerError
    from geo.gazetteer import download_wof
    from geo.gazetteer.download import data_tree_digest

    base, _ = served_tarball
    digest = data_tree_digest(FIXTURE) if matches else "0" * 64
    pin = tmp_path / "wof_pin.json"
    pin.write_text(json.dumps({"repository": "example/whosonfirst-data-admin-xx", "commit": "0123abcd",
                               "sha256": None, "data_sha256": digest}), encoding="utf-8")
    out = tmp_path / "imports"
    if matches:
        assert download_wof(out_dir=out, pin_path=pin, url=f"{base}/wof.tar.gz")["localities"] == 7
    else:
        with pytest.raises(GazetteerError, match="differ from the pinned commit"):
            download_wof(out_dir=out, pin_path=pin, url=f"{base}/wof.tar.gz")
        assert _snapshot(out) == {}


def test_the_shipped_pin_names_a_commit_and_a_check():
    from geo.gazetteer.download import PIN_PATH, read_pin

    pin = read_pin(PIN_PATH)
    assert len(pin["commit"] or "") == 40 and (pin.get("sha256") or len(pin.get("data_sha256") or "") == 64)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.exists() else {}


def test_download_with_a_wrong_checksum_changes_nothing(served_tarball, pin, wof_dir):
    from geo.errors import GazetteerError
    from geo.gazetteer import download_wof

    base, _ = served_tarball
    before = _snapshot(wof_dir)
    with pytest.raises(GazetteerError, match="checksum mismatch"):
        download_wof(out_dir=wof_dir, pin_path=pin, url=f"{base}/wof.tar.gz", sha256="0" * 64)
    assert _snapshot(wof_dir) == before


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/wof.tar.gz", "http://wof.invalid/wof.tar.gz"])
def test_download_offline_fails_with_one_line_and_changes_nothing(wof_dir, url, capsys):
    from geo.cli import main
    from geo.gazetteer.download import PIN_PATH

    before, pin_before = _snapshot(wof_dir), PIN_PATH.read_bytes()
    assert main(["gazetteer", "download", "--url", url, "--sha256", "0" * 64]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: cannot download")
    assert _snapshot(wof_dir) == before
    assert PIN_PATH.read_bytes() == pin_before


def test_download_without_a_pinned_commit_says_what_to_do(tmp_path):
    from geo.errors import GazetteerError
    from geo.gazetteer import download_wof

    pin = tmp_path / "pin.json"
    pin.write_text(json.dumps({"repository": "example/x", "commit": None, "sha256": None}), encoding="utf-8")
    with pytest.raises(GazetteerError, match="import-wof PATH"):
        download_wof(out_dir=tmp_path / "out", pin_path=pin)
    assert not (tmp_path / "out").exists()


def test_pin_records_the_commit_and_the_tarball_checksum(served_tarball, pin):
    from geo.gazetteer import make_pin

    base, digest = served_tarball
    made = make_pin(pin_path=pin, api_url=f"{base}/commit.json", tarball_url=f"{base}/wof.tar.gz")
    assert made["commit"] == "0123abcd" and made["sha256"] == digest
    assert json.loads(pin.read_text(encoding="utf-8"))["sha256"] == digest


def test_shipped_pin_names_the_syria_repository():
    from geo.gazetteer.download import PIN_PATH, read_pin

    assert read_pin(PIN_PATH)["repository"] == "whosonfirst-data/whosonfirst-data-admin-sy"


def test_user_corrections_apply_on_top_of_the_cached_import(wof_dir, tmp_path, monkeypatch):
    from geo.gazetteer import add_user_place

    cache = wof_dir / ".index-cache.json"
    stamp = cache.stat().st_mtime_ns
    user = tmp_path / "user.csv"
    monkeypatch.setenv("GEO_USER_GAZETTEER", str(user))
    base = default_gazetteer()
    added = add_user_place("Qaryat Tashih", 36.20, 36.55, gazetteer=base, path=user)
    # A correction of an imported place: same id, new position and name.
    (village,) = base.exact("Kafr Fixtura")
    with user.open("a", encoding="utf-8") as fh:
        fh.write(f"{village.place_id},Kafr Fixtura Corrected,populated_place,SY,36.26,36.62,Idlib,SY-ID,,0,PPL,,user\n")
    gaz = default_gazetteer()
    assert gaz is not base
    assert gaz.exact("Qaryat Tashih")[0].place_id == added.place_id
    assert gaz.exact("Qaryat Tashih")[0].admin2 == "Harim"  # from the district polygons
    assert [p.place_id for p in gaz.exact("Kafr Fixtura Corrected")] == [village.place_id]
    assert gaz.exact("Kafr Fixtoura") == []  # the corrected row replaced the place and its names
    assert cache.stat().st_mtime_ns == stamp  # the cache was not rebuilt for a correction


def _town(pid: str, name: str, lat: float, lon: float, population: int, *alt: str) -> Place:
    return Place(pid, name, "populated_place", "SY", lat, lon, "Aleppo", "SY-HL", population=population,
                 alt_names=alt)


@pytest.mark.parametrize("imported, kept", [
    # an alias of a town of 50,000 people 130 km away: left out
    (_town("wof:1", "Afreen", 36.51, 36.87, 40_000, "Kobanee", "Afrine"), ("Afrine",)),
    # the same alias on a suburb 10 km from that town: kept
    (_town("wof:2", "Ain al-Arab East", 36.89, 38.46, 0, "Kobanee"), ("Kobanee",)),
    # an alias shared with a far hamlet: namesakes happen, kept
    (_town("wof:3", "Tell Qaryat", 36.00, 37.00, 0, "Tell Hamlet"), ("Tell Hamlet",)),
])
def test_an_imported_alias_naming_another_larger_town_far_away_is_left_out(imported, kept):
    from geo.gazetteer.gazetteer import merge_imported

    merged = {p.place_id: p for p in (
        _town("gn:1", "Ain al-Arab", 36.89, 38.35, 50_000, "Kobanee"),
        _town("gn:2", "Hamlet", 35.50, 38.00, 40, "Tell Hamlet"),
    )}
    merge_imported(merged, [imported])
    assert merged[imported.place_id].alt_names == kept
