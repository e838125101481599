"""Stage 1 of the pipeline: places. The gazetteer (shipped CSVs + imports + user corrections),
the one name fold (:mod:`geo.gazetteer.names`), the geocoder and the importers.

Code outside this package imports from here, not from the modules."""

from geo.gazetteer.gazetteer import (
    DATA_DIR,
    Admin2Unit,
    Gazetteer,
    add_user_place,
    default_gazetteer,
    gazetteer_dir,
    haversine_km,
    load_admin1_polygons,
    load_admin2_polygons,
    user_gazetteer_path,
)
from geo.gazetteer.geocoder import (
    COUNTRY_NAMES,
    Candidate,
    LocalGeocoder,
    geo_precision_of,
    location_record,
)
from geo.gazetteer.names import is_arabic, is_usable_name, name_key

__all__ = [
    "COUNTRY_NAMES", "DATA_DIR", "Admin2Unit", "Candidate", "Gazetteer", "LocalGeocoder", "add_user_place",
    "default_gazetteer", "gazetteer_dir", "geo_precision_of", "haversine_km", "is_arabic", "is_usable_name",
    "load_admin1_polygons", "load_admin2_polygons", "location_record", "name_key", "user_gazetteer_path",
]
