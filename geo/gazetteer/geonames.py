"""Import a full GeoNames country dump (``SY.txt`` from GeoNames' download site) into the gazetteer.

GeoNames' tab-separated format has 19 columns: geonameid, name, asciiname, alternatenames,
latitude, longitude, feature class, feature code, country code, cc2, admin1 code, admin2 code,
admin3 code, admin4 code, population, elevation, dem, timezone, modification date.

Populated places (class P) and second-level divisions (ADM2) become gazetteer places; the
admin-1 code is mapped to the governorate through Natural Earth's ``gn_a1_code``, falling back
to point-in-polygon. The result is written to ``geonames_<CC>.csv`` in the imports folder
(``$GEO_GAZETTEER_DIR``, default ``data/gazetteer/local/``), which
:meth:`geo.gazetteer.gazetteer.Gazetteer.load` merges (rows with the id of a shipped place add their
names to it).
"""

from __future__ import annotations

import csv
import logging
import sys
from pathlib import Path

from geo.errors import BadInputError, ValidationError
from geo.gazetteer.gazetteer import (
    Gazetteer,
    default_gazetteer,
    gazetteer_dir,
    write_places_csv,
)
from geo.gazetteer.names import is_usable_name
from geo.models import Place

log = logging.getLogger(__name__)

GEONAMES_COLUMNS = 19
KIND_BY_FEATURE = {"P": "populated_place"}
KIND_BY_CODE = {"ADM2": "admin2", "ADM3": "admin2"}


def read_geonames(path: Path, gazetteer: Gazetteer | None = None) -> tuple[list[Place], list[str]]:
    """Parse a GeoNames dump into places. Returns (places, problems) - bad rows are reported, not fatal."""
    gaz = gazetteer or default_gazetteer()
    by_gn = gaz.admin1_by_gn_code()
    csv.field_size_limit(sys.maxsize)
    places: list[Place] = []
    problems: list[str] = []
    try:
        fh = open(path, encoding="utf-8", newline="")
    except OSError as exc:
        raise BadInputError(f"cannot open: {exc}", path=str(path)) from exc
    with fh:
        for line_no, row in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), start=1):
            if not row or row[0].startswith("#"):
                continue
            if len(row) < GEONAMES_COLUMNS:
                problems.append(f"line {line_no}: {len(row)} columns, expected {GEONAMES_COLUMNS}")
                continue
            fclass, fcode, cc = row[6], row[7], row[8]
            kind = KIND_BY_CODE.get(fcode) or KIND_BY_FEATURE.get(fclass)
            if kind is None:
                continue
            try:
                lat, lon = float(row[4]), float(row[5])
                unit = by_gn.get(f"{cc}.{row[10]}") or gaz.admin1_of(lat, lon)
                alt = tuple(a for a in dict.fromkeys(row[3].split(",")) if a and a != row[1] and is_usable_name(a))
                places.append(Place(
                    place_id=f"gn:{row[0]}", name=row[1], kind=kind, country_code=cc, latitude=lat, longitude=lon,
                    admin1=unit.name if unit else None, admin1_code=unit.code if unit else None,
                    population=int(row[14] or 0), feature_code=fcode, alt_names=alt,
                    source=f"GeoNames dump {path.name}",
                ))
            except (ValueError, ValidationError) as exc:
                problems.append(f"line {line_no}: {exc}")
    return places, problems


def import_geonames(
    path: Path, *, out_dir: Path | None = None, gazetteer: Gazetteer | None = None
) -> tuple[Path, int, list[str]]:
    places, problems = read_geonames(path, gazetteer)
    if not places:
        raise BadInputError("no populated places found (is this a GeoNames country dump?)", path=str(path))
    country = places[0].country_code or "XX"
    out = (out_dir if out_dir is not None else gazetteer_dir()) / f"geonames_{country}.csv"
    write_places_csv(out, places)
    log.info("imported %d places from %s into %s", len(places), path, out)
    return out, len(places), problems
