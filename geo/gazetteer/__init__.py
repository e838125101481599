"""Stage 1 of the pipeline: places. The gazetteer (shipped CSVs + imports in ``$GEO_GAZETTEER_DIR`` +
user corrections), the one name fold (:mod:`geo.gazetteer.names`), the geocoder, batch geocoding and
the importers (GeoNames dumps, Who's On First, and its download).

Code outside this package imports from here, not from the modules. The names are loaded on first
use (PEP 562): the dashboard's first page needs only the paths, not geopy, rapidfuzz and shapely."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# name -> the module of this package that defines it
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(("geocode_csv", "geocode_lines"), "batch"),
    **dict.fromkeys(("download_wof", "make_pin"), "download"),
    **dict.fromkeys(("Admin2Unit", "Gazetteer", "add_user_place", "default_gazetteer", "haversine_km",
                     "load_admin1_polygons", "load_admin2_polygons"), "gazetteer"),
    **dict.fromkeys(("COUNTRY_NAMES", "Candidate", "LocalGeocoder", "Resolution", "geo_precision_of",
                     "is_notable", "location_record"), "geocoder"),
    "import_geonames": "geonames",
    **dict.fromkeys(("is_arabic", "is_usable_name", "name_key"), "names"),
    **dict.fromkeys(("DATA_DIR", "gazetteer_dir", "user_gazetteer_path"), "paths"),
    "import_wof": "wof",
}
__all__ = [  # the same names as _EXPORTS (tests/test_gazetteer.py checks it)
    "COUNTRY_NAMES", "DATA_DIR", "Admin2Unit", "Candidate", "Gazetteer", "LocalGeocoder", "Resolution",
    "add_user_place", "default_gazetteer", "download_wof", "gazetteer_dir", "geo_precision_of", "geocode_csv", "geocode_lines",
    "haversine_km", "import_geonames", "import_wof", "is_arabic", "is_notable", "is_usable_name",
    "load_admin1_polygons", "load_admin2_polygons", "location_record", "make_pin", "name_key", "user_gazetteer_path",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # once loaded, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # what type checkers and IDEs see
    from geo.gazetteer.batch import geocode_csv, geocode_lines
    from geo.gazetteer.download import download_wof, make_pin
    from geo.gazetteer.gazetteer import (
        Admin2Unit,
        Gazetteer,
        add_user_place,
        default_gazetteer,
        haversine_km,
        load_admin1_polygons,
        load_admin2_polygons,
    )
    from geo.gazetteer.geocoder import (
        COUNTRY_NAMES,
        Candidate,
        LocalGeocoder,
        Resolution,
        geo_precision_of,
        is_notable,
        location_record,
    )
    from geo.gazetteer.geonames import import_geonames
    from geo.gazetteer.names import is_arabic, is_usable_name, name_key
    from geo.gazetteer.paths import DATA_DIR, gazetteer_dir, user_gazetteer_path
    from geo.gazetteer.wof import import_wof
