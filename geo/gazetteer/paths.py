"""Where the gazetteer's files are: the shipped CSVs, the imports and the user's corrections.

A module of its own (no shapely, no geopy) so that code which only needs the paths, such as the
dashboard's cached basemap, does not load the geocoder's dependencies."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "gazetteer"
DEFAULT_USER_GAZETTEER = DATA_DIR.parent / "user_gazetteer.csv"
DEFAULT_IMPORT_DIR = DATA_DIR / "local"


def user_gazetteer_path() -> Path:
    return Path(os.environ.get("GEO_USER_GAZETTEER", DEFAULT_USER_GAZETTEER))


def gazetteer_dir() -> Path:
    """Where imports are written and read: ``$GEO_GAZETTEER_DIR``, else ``data/gazetteer/local/``."""
    return Path(os.environ.get("GEO_GAZETTEER_DIR") or DEFAULT_IMPORT_DIR)
