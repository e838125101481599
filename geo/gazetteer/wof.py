"""Import a Who's On First (WOF) country repository into the gazetteer.

``python -m geo gazetteer import-wof PATH`` where PATH is a checkout of, e.g.,
https://github.com/whosonfirst-data/whosonfirst-data-admin-sy (its ``data/`` tree of GeoJSON
records). Written to :func:`geo.gazetteer.gazetteer.gazetteer_dir`:

- ``wof_<CC>.csv``: localities (GeoNames feature codes PPL*, STLMT and, kept as historical, PPLQ)
  and districts (WOF ``county``) as places, with every name in Latin or Arabic script from every
  language and variant list (``name:<lang>_x_preferred|variant|colloquial|historical``). A locality
  with a GeoNames id is ``gn:<id>``, the id of the same place in the shipped gazetteer, so that
  loading merges them into one place with all names; the others are ``wof:<id>``.
- ``admin2_<CC>.geojson``: the districts' polygons (simplified to about 100 m), so that every point
  gets its district.
- ``wof_<CC>.json``: what was imported, from where, and the counts.

Records that are deprecated or superseded (``edtf:deprecated``, ``wof:superseded_by``) are left
out: their successors are in the data. Places that no longer exist (``mz:is_current`` 0 with an
``edtf:cessation`` date, feature code PPLQ) are kept, marked by their feature code, because
reports name destroyed and abandoned villages too.

Governorates come from the record's WOF hierarchy (its region's ISO 3166-2 code, the product's
governorate names), else from the shipped admin-1 polygons. The district of a locality is its
hierarchy's county, else the district polygon its point falls in.

Files are written to a temporary name and renamed, so a failed import leaves the previous one
intact, and importing the same data again gives the same files.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping, shape

from geo.errors import BadInputError, ValidationError
from geo.gazetteer.gazetteer import (
    Gazetteer,
    default_gazetteer,
    gazetteer_dir,
    write_places_csv,
)
from geo.gazetteer.names import is_usable_name
from geo.models import SYRIA_GOVERNORATES, Place

log = logging.getLogger(__name__)

# GeoNames feature codes of places people name (PPLQ: abandoned/destroyed, kept as historical).
LOCALITY_CODES = re.compile(r"^(PPL[A-Z0-9]*|STLMT)$")
DISTRICT_SIMPLIFY_DEG = 0.001
_NAME_KEY_RE = re.compile(r"^name:[a-z]{3}(?:_[a-z]{2})?_x_(?:preferred|variant|colloquial|historical)$")
_ISO_TO_ADMIN1 = {code: name for name, code in SYRIA_GOVERNORATES.items()}
# The UNDOF zone is part of Quneitra in the product (as in the shipped admin-1 polygons).
_REGION_ISO_FALLBACK = {"United Nations Disengagement Observer Force": "SY-QU"}


@dataclass
class WofImport:
    """What an import read: places (localities and districts), district polygons, problems."""

    places: list[Place] = field(default_factory=list)
    districts: list[dict[str, Any]] = field(default_factory=list)  # GeoJSON features
    skipped: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def iter_records(root: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    """(path, feature) for every WOF record under ``root/data`` (alternate geometries skipped)."""
    data = root / "data"
    if not data.is_dir():
        raise BadInputError("not a Who's On First repository (no data/ folder)", path=str(root))
    for folder, dirs, files in os.walk(data):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".geojson") and "-alt-" not in name:
                path = Path(folder) / name
                try:
                    yield path, json.loads(path.read_bytes())
                except ValueError as exc:
                    raise BadInputError(f"not JSON: {exc}", path=str(path)) from exc


def names_of(props: dict[str, Any]) -> list[str]:
    """Every usable name of a record: WOF's own, GeoNames', then each language's lists."""
    names = [props.get("wof:name") or "", props.get("gn:name") or "", props.get("gn:asciiname") or ""]
    for key in sorted(props):
        if _NAME_KEY_RE.match(key) and isinstance(props[key], list):
            names.extend(str(n) for n in props[key])
    seen = dict.fromkeys(n.strip() for n in names if n and n.strip())
    first = next(iter(seen), "")
    return [first, *(n for n in seen if n != first and is_usable_name(n))] if first else []


def _is_retired(props: dict[str, Any]) -> bool:
    deprecated = str(props.get("edtf:deprecated") or "").strip()
    return bool(props.get("wof:superseded_by")) or (deprecated not in ("", "uuuu"))


def _hierarchy(props: dict[str, Any]) -> dict[str, int]:
    hierarchy = props.get("wof:hierarchy") or [{}]
    return hierarchy[0] if hierarchy else {}


def _region_iso(props: dict[str, Any]) -> str | None:
    conc = props.get("wof:concordances") or {}
    return conc.get("iso:code") or conc.get("iso:id") or _REGION_ISO_FALLBACK.get(props.get("wof:name", ""))


def _district_name(props: dict[str, Any], admin1: str | None) -> str:
    """The district's English name; a governorate's central district ("Markaz Hims") takes the
    governorate's product name, as it is named after the same city."""
    english = (props.get("name:eng_x_preferred") or [props.get("wof:name")])[0]
    if english.startswith("Markaz ") and admin1:
        return admin1
    return english


def _locality(props: dict[str, Any], admin: _Admin, gaz: Gazetteer, result: WofImport) -> Place | None:
    code = props.get("gn:feature_code") or "PPL"
    if not LOCALITY_CODES.match(code):
        result.skip(f"feature code {code}")
        return None
    names = names_of(props)
    if not names:
        result.skip("no name")
        return None
    lat, lon = float(props["geom:latitude"]), float(props["geom:longitude"])
    hier = _hierarchy(props)
    admin1, admin1_code = admin.region(hier.get("region_id"))
    if admin1 is None:
        unit = gaz.admin1_of(lat, lon)
        admin1, admin1_code = (unit.name, unit.code) if unit else (None, None)
    county = admin.counties.get(hier.get("county_id") or -1)
    gn_id = (props.get("wof:concordances") or {}).get("gn:id") or props.get("gn:geonameid")
    population = props.get("gn:population") or props.get("wof:population") or 0
    return Place(
        place_id=f"gn:{int(gn_id)}" if gn_id else f"wof:{props['wof:id']}",
        name=names[0], kind="populated_place", country_code=props.get("iso:country") or props.get("wof:country"),
        latitude=lat, longitude=lon, admin1=admin1, admin1_code=admin1_code,
        admin2=county["admin2"] if county else None, population=int(population), feature_code=code,
        alt_names=tuple(names[1:]), source=f"Who's On First {props.get('wof:repo', '')} {props['wof:id']}".strip(),
    )


class _Admin:
    """Regions and counties of the repository, read in a first pass."""

    def __init__(self) -> None:
        self.regions: dict[int, tuple[str | None, str | None]] = {}
        self.counties: dict[int, dict[str, Any]] = {}

    def region(self, region_id: int | None) -> tuple[str | None, str | None]:
        return self.regions.get(region_id or -1, (None, None))

    def add_region(self, props: dict[str, Any]) -> None:
        iso = _region_iso(props)
        self.regions[props["wof:id"]] = (_ISO_TO_ADMIN1.get(iso or ""), iso) if iso in _ISO_TO_ADMIN1 else (None, None)

    def add_county(self, props: dict[str, Any], geometry: dict[str, Any], gaz: Gazetteer) -> dict[str, Any]:
        hasc = (props.get("wof:concordances") or {}).get("hasc:id") or f"WOF.{props['wof:id']}"
        admin1, admin1_code = self.region(_hierarchy(props).get("region_id"))
        if admin1 is None and hasc.count(".") == 2:  # Quneitra's counties have no region in WOF's hierarchy
            admin1_code = next((iso for iso in _ISO_TO_ADMIN1 if hasc.startswith(f"SY.{iso[3:]}.")), None)
            admin1 = _ISO_TO_ADMIN1.get(admin1_code or "")
        geom = shapely.make_valid(shape(geometry)).simplify(DISTRICT_SIMPLIFY_DEG, preserve_topology=True)
        if admin1 is None:
            unit = gaz.admin1_of(geom.representative_point().y, geom.representative_point().x)
            admin1, admin1_code = (unit.name, unit.code) if unit else (None, None)
        names = names_of(props)
        record = {"wof_id": props["wof:id"], "hasc": hasc, "admin2": _district_name(props, admin1),
                  "admin1": admin1, "admin1_code": admin1_code,
                  "country_code": props.get("iso:country") or props.get("wof:country"),
                  "aliases": [n for n in names if n != _district_name(props, admin1)], "geometry": geom}
        self.counties[props["wof:id"]] = record
        return record


def read_wof(root: Path, gazetteer: Gazetteer | None = None) -> WofImport:
    """Read a WOF repository checkout (see the module docstring)."""
    gaz = gazetteer or default_gazetteer()
    result = WofImport()
    admin = _Admin()
    localities: list[dict[str, Any]] = []
    counties: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for path, feature in iter_records(root):
        props = feature.get("properties") or {}
        placetype = props.get("wof:placetype")
        if placetype == "region":
            admin.add_region(props)  # retired regions still name the region of old records
        elif placetype not in ("locality", "county"):
            result.skip(f"placetype {placetype}")
        elif _is_retired(props):
            result.skip(f"deprecated or superseded {placetype}")
        elif placetype == "county":
            if (feature.get("geometry") or {}).get("type") not in ("Polygon", "MultiPolygon"):
                result.skip("county without a polygon")
                continue
            counties.append((props, feature["geometry"]))
        else:
            localities.append(props)
    for props, geometry in counties:
        record = admin.add_county(props, geometry, gaz)
        try:
            point = record["geometry"].representative_point()
            result.places.append(Place(
                place_id=f"wof:{record['wof_id']}", name=record["admin2"], kind="admin2",
                country_code=record["country_code"], latitude=point.y, longitude=point.x,
                admin1=record["admin1"], admin1_code=record["admin1_code"], admin2=record["admin2"],
                feature_code="ADM2", alt_names=tuple(record["aliases"]),
                source=f"Who's On First {props.get('wof:repo', '')} {record['wof_id']}".strip()))
        except ValidationError as exc:
            result.problems.append(f"county {props.get('wof:id')}: {exc}")
        result.districts.append({"type": "Feature", "geometry": mapping(record["geometry"]), "properties": {
            k: ("|".join(v) if isinstance(v, list) else v) for k, v in record.items() if k != "geometry"}})
    for props in localities:
        try:
            place = _locality(props, admin, gaz, result)
        except (KeyError, TypeError, ValueError, ValidationError) as exc:
            result.problems.append(f"locality {props.get('wof:id')}: {exc}")
            continue
        if place is not None:
            result.places.append(place)
    return result


def _fill_districts_by_point(result: WofImport, gaz: Gazetteer) -> None:
    """Localities whose hierarchy names no current county get the district their point is in."""
    from geo.gazetteer.gazetteer import Admin2Unit

    units = [Admin2Unit(code=f["properties"]["hasc"], name=f["properties"]["admin2"], admin1=None, admin1_code=None,
                        country_code=f["properties"]["country_code"], aliases=(), geometry=shape(f["geometry"]))
             for f in result.districts]
    if not units:
        return
    probe = Gazetteer.from_places([], gaz.admin1_units, units)
    for i, place in enumerate(result.places):
        if place.kind == "populated_place" and not place.admin2:
            unit = probe.admin2_of(place.latitude, place.longitude)
            if unit is not None and unit.country_code == place.country_code:
                result.places[i] = dataclasses.replace(place, admin2=unit.name)


def _write_atomic(path: Path, write) -> None:  # type: ignore[no-untyped-def]
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def import_wof(root: Path, *, out_dir: Path | None = None, gazetteer: Gazetteer | None = None,
               origin: str = "") -> dict[str, Any]:
    """Import a WOF checkout into ``out_dir`` (default :func:`gazetteer_dir`); returns a summary."""
    root = Path(root)
    out = Path(out_dir) if out_dir is not None else gazetteer_dir()
    gaz = gazetteer or Gazetteer.load(with_imports=False)  # the shipped gazetteer alone
    result = read_wof(root, gaz)
    localities = [p for p in result.places if p.kind == "populated_place"]
    if not localities:
        raise BadInputError("no localities found (is this a Who's On First repository?)", path=str(root))
    _fill_districts_by_point(result, gaz)
    countries = sorted({p.country_code for p in localities})
    cc = max(countries, key=lambda c: sum(p.country_code == c for p in localities))
    out.mkdir(parents=True, exist_ok=True)
    places = sorted(result.places, key=lambda p: p.place_id)
    _write_atomic(out / f"wof_{cc}.csv", lambda tmp: write_places_csv(tmp, places))
    collection = {"type": "FeatureCollection", "features": sorted(result.districts, key=lambda f: f["properties"]["wof_id"])}
    _write_atomic(out / f"admin2_{cc}.geojson",
                  lambda tmp: tmp.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8"))
    summary = {
        "country": cc, "source": origin or str(root.resolve()), "localities": len(localities),
        "historical": sum(p.feature_code == "PPLQ" for p in localities),
        "districts": len(result.districts), "with_admin2": sum(bool(p.admin2) for p in localities),
        "skipped": dict(sorted(result.skipped.items())), "problems": len(result.problems),
        "written_to": str(out),
    }
    _write_atomic(out / f"wof_{cc}.json",
                  lambda tmp: tmp.write_text(json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8"))
    log.info("imported %d localities and %d districts from %s into %s", len(localities), len(result.districts), root, out)
    # Build the load cache now, so that the first command after an import loads fast too.
    summary["places_after_merge"] = len(Gazetteer.load(import_dir=out))
    summary["problem_lines"] = result.problems[:50]
    return summary
