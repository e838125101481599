"""Browser-test fixtures (helpers in browser_support.py): a Streamlit server over a temp store
(the seed article through the real pipeline, plus one article with markup in its text) and
Chromium with every non-local request aborted. Skips only when /usr/bin/chromium is absent."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser_support import CHROMIUM, LAUNCH_ARGS, OfflinePage, Server, build_store  # noqa: E402


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (scripts/install_test_deps.sh)")
    return CHROMIUM


@pytest.fixture(scope="session")
def assets_installed() -> None:
    from geo.webmap import assets as offline_assets

    missing = offline_assets.missing_assets()
    assert not missing, f"map assets missing ({missing[0]}...): run bash scripts/install_assets.sh"


@pytest.fixture(scope="session")
def server(tmp_path_factory, chromium_path, assets_installed):
    tmp = tmp_path_factory.mktemp("browser")
    store = tmp / "events.gpkg"
    build_store(store)
    srv = Server(store, tmp)
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def server_under_prefix(tmp_path_factory, chromium_path, assets_installed):
    """The app mounted below a URL prefix (server.baseUrlPath), as behind a reverse proxy, with a
    vector tile archive as its basemap (GEO_BASEMAP): the assets MapLibre needs load there too."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from test_webmap_basemap import make_vector_archive

    tmp = tmp_path_factory.mktemp("browser-prefix")
    store = tmp / "events.gpkg"
    build_store(store)
    archive = tmp / "basemap.pmtiles"
    make_vector_archive(archive)
    srv = Server(store, tmp, base_path="conflict/map", extra_env={"GEO_BASEMAP": str(archive)})
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture
def offline(browser):
    op = OfflinePage(browser)
    yield op
    op.close()
