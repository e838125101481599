"""Stage 1 of the pipeline: places. The gazetteer (shipped CSVs + imports in ``$GEO_GAZETTEER_DIR`` +
user corrections), the one name fold (:mod:`geo.gazetteer.names`), the geocoder, batch geocoding and
the importers (GeoNames dumps, Who's On First, and its download).

Code outside this package imports from here, not from the modules."""

from geo.gazetteer.batch import geocode_csv, geocode_lines
from geo.gazetteer.download import download_wof, make_pin
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
    Resolution,
    geo_precision_of,
    is_notable,
    location_record,
)
from geo.gazetteer.geonames import import_geonames
from geo.gazetteer.names import is_arabic, is_usable_name, name_key
from geo.gazetteer.wof import import_wof

__all__ = [
    "COUNTRY_NAMES", "DATA_DIR", "Admin2Unit", "Candidate", "Gazetteer", "LocalGeocoder", "Resolution",
    "add_user_place", "default_gazetteer", "download_wof", "gazetteer_dir", "geo_precision_of", "geocode_csv", "geocode_lines",
    "haversine_km", "import_geonames", "import_wof", "is_arabic", "is_notable", "is_usable_name",
    "load_admin1_polygons", "load_admin2_polygons", "location_record", "make_pin", "name_key", "user_gazetteer_path",
]
