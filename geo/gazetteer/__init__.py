"""Stage 1 of the pipeline: places. The gazetteer (shipped CSVs + imports in ``$GEO_GAZETTEER_DIR`` +
user corrections), the one name fold (:mod:`geo.gazetteer.names`), the geocoder, batch geocoding and
the importers (GeoNames dumps, Who's On First, and its download).

Code outside this package imports from here, not from the modules. The names are loaded on first
use (lazy_loader, SPEC 1): the dashboard's first page needs only the paths, not geopy, rapidfuzz
and shapely."""

import lazy_loader

# the module of this package -> the names it defines that the package hands on
SUBMODULE_NAMES = {
    "batch": ["geocode_csv", "geocode_lines"],
    "download": ["download_wof", "make_pin"],
    "gazetteer": ["Admin2Unit", "Gazetteer", "add_user_place", "default_gazetteer", "haversine_km",
                  "load_admin1_polygons", "load_admin2_polygons"],
    "geocoder": ["COUNTRY_NAMES", "Candidate", "LocalGeocoder", "Resolution", "farther_than", "geo_precision_of", "is_notable",
                 "location_record"],
    "geonames": ["import_geonames"],
    "names": ["is_arabic", "is_usable_name", "name_key"],
    "paths": ["DATA_DIR", "gazetteer_dir", "user_gazetteer_path"],
    "wof": ["import_wof"],
}
__getattr__, __dir__, __all__ = lazy_loader.attach(__name__, submod_attrs=SUBMODULE_NAMES)
