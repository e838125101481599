"""Shared fixtures: the real gazetteer (loaded once) and a tiny one built in code."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Never let a developer's own corrections leak into the tests.
os.environ.setdefault("GEO_USER_GAZETTEER", str(ROOT / "tests" / ".no-user-gazetteer.csv"))
# ... nor their gazetteer imports (WOF): tests that want an import make one in a temporary folder.
os.environ.setdefault("GEO_GAZETTEER_DIR", str(ROOT / "tests" / ".no-gazetteer-imports"))

from geo.gazetteer.gazetteer import Gazetteer, default_gazetteer  # noqa: E402
from geo.gazetteer.geocoder import LocalGeocoder  # noqa: E402
from geo.models import Place  # noqa: E402
from geo.extract.pipeline import Geoparser  # noqa: E402
from geo.store.gpkg import EventStore, GpkgEventStore  # noqa: E402

# The store helpers live in fixtures_store.py (child processes import it too); the fixtures live here.
from fixtures_store import drop_postgis_schema, fill_sample, make_store, STORE_BACKENDS  # noqa: E402


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return default_gazetteer()


@pytest.fixture(scope="session")
def geocoder(gazetteer: Gazetteer) -> LocalGeocoder:
    return LocalGeocoder(gazetteer)


@pytest.fixture(scope="session")
def parser(gazetteer: Gazetteer) -> Geoparser:
    return Geoparser(gazetteer)


@pytest.fixture(scope="session")
def tiny_gazetteer(gazetteer: Gazetteer) -> Gazetteer:
    """Three made-up towns in two real governorates (with the real polygons)."""
    places = [
        Place("t:1", "Qaryat Alpha", "populated_place", "SY", 36.10, 37.00, "Aleppo", "SY-HL", population=5000,
              alt_names=("Alpha Village",)),
        Place("t:2", "Qaryat Beta", "populated_place", "SY", 35.90, 36.60, "Idlib", "SY-ID", population=100),
        Place("t:3", "Qaryat Beta", "populated_place", "SY", 36.30, 37.50, "Aleppo", "SY-HL", population=50),
        Place("admin1:SY-HL", "Aleppo", "admin1", "SY", 36.23, 37.60, "Aleppo", "SY-HL"),
        Place("admin1:SY-ID", "Idlib", "admin1", "SY", 35.80, 36.55, "Idlib", "SY-ID"),
    ]
    units = [u for u in gazetteer.admin1_units if u.code in ("SY-HL", "SY-ID")]
    return Gazetteer.from_places(places, units)


@pytest.fixture(params=STORE_BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EventStore]:
    """An empty store of each backend (postgis: skipped, with the reason, without a server)."""
    s = make_store(request.param, tmp_path)
    yield s
    s.close()
    if request.param == "postgis":
        drop_postgis_schema(s)


@pytest.fixture
def gpkg_store(tmp_path: Path) -> Iterator[GpkgEventStore]:
    """The GeoPackage store specifically (file-format tests)."""
    s = GpkgEventStore(tmp_path / "events.gpkg")
    yield s
    s.close()


@pytest.fixture
def sample_store(store: EventStore) -> EventStore:
    fill_sample(store)
    return store
