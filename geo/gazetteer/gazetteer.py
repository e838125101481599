"""The local gazetteer: places with their names, kinds and governorates, and admin-1 polygons.

Loaded from ``data/gazetteer/`` (see SOURCES.md there):

- ``places.csv``: countries, admin-1 units and GeoNames populated places (built by
  ``scripts/build_gazetteer.py``);
- ``geonames_*.csv``: places merged from full GeoNames country dumps (``python -m geo gazetteer
  import-geonames SY.txt``);
- ``additions.csv``: hand-checked places the registry data lacks, each with its source;
- ``admin1.geojson``: Natural Earth admin-1 polygons (Syria's 14 governorates and the
  neighbours' first-level units);
- a user gazetteer (``data/user_gazetteer.csv`` or ``$GEO_USER_GAZETTEER``): corrections made in
  the dashboard, used from then on.

Tests inject a tiny gazetteer with :meth:`Gazetteer.from_places`.
"""

from __future__ import annotations

import csv
import json
import logging
import math
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import shapely
from shapely import STRtree
from shapely.ops import nearest_points
from shapely.geometry import Point, shape

from geo.errors import GazetteerError, ValidationError
from geo.models import Place, stable_id
from geo.gazetteer.names import name_key, skeleton_key

if TYPE_CHECKING:
    import geopandas as gpd

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "gazetteer"
DEFAULT_USER_GAZETTEER = DATA_DIR.parent / "user_gazetteer.csv"
PLACE_COLUMNS = ["place_id", "name", "kind", "country_code", "latitude", "longitude", "admin1",
                 "admin1_code", "admin2", "population", "feature_code", "alt_names", "source"]
# Border towns just outside a (simplified) polygon still get its governorate within this distance.
NEAREST_POLYGON_KM = 5.0
EARTH_RADIUS_KM = 6371.0088


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points in km."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


@dataclass(frozen=True, slots=True)
class Admin1Unit:
    """A first-level administrative unit with its polygon."""

    code: str  # ISO 3166-2
    name: str  # English short name
    country_code: str
    gn_a1_code: str
    aliases: tuple[str, ...]
    geometry: shapely.Geometry


def user_gazetteer_path() -> Path:
    return Path(os.environ.get("GEO_USER_GAZETTEER", DEFAULT_USER_GAZETTEER))


def _place_from_row(row: dict[str, str], source_default: str) -> Place:
    try:
        return Place(
            place_id=row["place_id"],
            name=row["name"],
            kind=row.get("kind") or "populated_place",
            country_code=row.get("country_code") or "",
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            admin1=row.get("admin1") or None,
            admin1_code=row.get("admin1_code") or None,
            admin2=row.get("admin2") or None,
            population=int(float(row.get("population") or 0)),
            feature_code=row.get("feature_code") or "",
            alt_names=tuple(a for a in (row.get("alt_names") or "").split("|") if a),
            source=row.get("source") or source_default,
        )
    except (KeyError, ValueError, ValidationError) as exc:
        raise GazetteerError(f"bad gazetteer row {row.get('place_id')!r}: {exc}") from exc


def read_places_csv(path: Path) -> list[Place]:
    """Read one gazetteer CSV (the columns of PLACE_COLUMNS)."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            return [_place_from_row(row, path.name) for row in csv.DictReader(fh)]
    except OSError as exc:
        raise GazetteerError(f"cannot read gazetteer file {path}: {exc}") from exc


def write_places_csv(path: Path, places: Iterable[Place], *, append: bool = False) -> None:
    new_file = not path.exists() or not append
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a" if append else "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=PLACE_COLUMNS)
        if new_file:
            writer.writeheader()
        for p in places:
            writer.writerow({
                "place_id": p.place_id, "name": p.name, "kind": p.kind, "country_code": p.country_code,
                "latitude": p.latitude, "longitude": p.longitude, "admin1": p.admin1 or "",
                "admin1_code": p.admin1_code or "", "admin2": p.admin2 or "", "population": p.population,
                "feature_code": p.feature_code, "alt_names": "|".join(p.alt_names), "source": p.source,
            })


def read_admin1_units(path: Path) -> list[Admin1Unit]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GazetteerError(f"cannot read admin-1 polygons {path}: {exc}") from exc
    units = []
    for feature in data["features"]:
        props = feature["properties"]
        units.append(Admin1Unit(
            code=props["iso_3166_2"], name=props["admin1"], country_code=props["country_code"],
            gn_a1_code=props.get("gn_a1_code") or "",
            aliases=tuple(a for a in (props.get("aliases") or "").split("|") if a),
            geometry=shape(feature["geometry"]),
        ))
    return units


def load_admin1_polygons(path: Path | None = None) -> "gpd.GeoDataFrame":
    """Admin-1 polygons as a GeoDataFrame (EPSG:4326): iso_3166_2, admin1, country_code, name_ar, geometry."""
    import geopandas as gpd

    frame = gpd.read_file(path or DATA_DIR / "admin1.geojson")
    return frame.set_crs("EPSG:4326", allow_override=True)


class Gazetteer:
    """Places indexed by normalised name, and admin-1 polygons for point-in-polygon."""

    def __init__(self, places: Sequence[Place], admin1_units: Sequence[Admin1Unit] = ()) -> None:
        self.places: list[Place] = list(places)
        self.admin1_units: list[Admin1Unit] = list(admin1_units)
        self._by_id: dict[str, Place] = {p.place_id: p for p in self.places}
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.by_skeleton: dict[str, list[int]] = defaultdict(list)
        self.surface_names: dict[str, str] = {}  # name_key -> one surface form (for display)
        for idx, place in enumerate(self.places):
            for name in self.names_of(place):
                key = name_key(name)
                if not key:
                    continue
                if idx not in self.by_key[key]:
                    self.by_key[key].append(idx)
                    self.surface_names.setdefault(key, name)
                skel = skeleton_key(name)
                if skel and idx not in self.by_skeleton[skel]:
                    self.by_skeleton[skel].append(idx)
        self.keys: list[str] = list(self.by_key)
        self._tree = STRtree([u.geometry for u in self.admin1_units]) if self.admin1_units else None
        self._admin1_by_name = {u.name: u for u in self.admin1_units}

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_places(cls, places: Sequence[Place], admin1_units: Sequence[Admin1Unit] = ()) -> "Gazetteer":
        """A gazetteer from explicit places (tests pass a tiny one)."""
        return cls(places, admin1_units)

    @classmethod
    def load(cls, directory: Path | str = DATA_DIR, *, user_path: Path | None = None) -> "Gazetteer":
        directory = Path(directory)
        if not (directory / "places.csv").exists():
            raise GazetteerError(
                f"no gazetteer at {directory}: run `python scripts/build_gazetteer.py` to build it"
            )
        merged: dict[str, Place] = {}
        files = [directory / "places.csv", *sorted(directory.glob("geonames_*.csv")), directory / "additions.csv"]
        user = user_path if user_path is not None else user_gazetteer_path()
        files.append(user)
        for path in files:
            if path.exists():
                for place in read_places_csv(path):
                    merged[place.place_id] = place  # later files refine earlier rows with the same id
        units = read_admin1_units(directory / "admin1.geojson")
        log.info("gazetteer: %d places, %d admin-1 units from %s", len(merged), len(units), directory)
        return cls(list(merged.values()), units)

    # -- lookups --------------------------------------------------------------------------
    @staticmethod
    def names_of(place: Place) -> Iterator[str]:
        yield place.name
        yield from place.alt_names

    def get(self, place_id: str) -> Place | None:
        return self._by_id.get(place_id)

    def __len__(self) -> int:
        return len(self.places)

    def exact(self, name: str) -> list[Place]:
        return [self.places[i] for i in self.by_key.get(name_key(name), ())]

    def admin1_place(self, admin1: str, country_code: str = "SY") -> Place | None:
        """The admin-1 entry (kind admin1) for an English short name."""
        for place in self.exact(admin1):
            if place.kind == "admin1" and place.country_code == country_code and place.admin1 == admin1:
                return place
        return None

    def admin1_of(self, latitude: float, longitude: float) -> Admin1Unit | None:
        """The admin-1 unit containing the point, else the nearest within NEAREST_POLYGON_KM."""
        if self._tree is None:
            return None
        point = Point(longitude, latitude)
        hits = self._tree.query(point, predicate="intersects")
        if len(hits):
            return self.admin1_units[int(hits[0])]
        idx = int(self._tree.nearest(point))
        unit = self.admin1_units[idx]
        nearest = nearest_points(unit.geometry, point)[0]
        if haversine_km((latitude, longitude), (nearest.y, nearest.x)) <= NEAREST_POLYGON_KM:
            return unit
        return None

    def admin1_by_gn_code(self) -> dict[str, Admin1Unit]:
        return {u.gn_a1_code: u for u in self.admin1_units if u.gn_a1_code}


@lru_cache(maxsize=4)
def _load_cached(directory: str, user_path: str, user_mtime: float) -> Gazetteer:
    return Gazetteer.load(Path(directory), user_path=Path(user_path))


def default_gazetteer() -> Gazetteer:
    """The shared gazetteer from data/gazetteer (reloaded when the user gazetteer changes)."""
    user = user_gazetteer_path()
    mtime = user.stat().st_mtime if user.exists() else 0.0
    return _load_cached(str(DATA_DIR), str(user), mtime)


def add_user_place(
    name: str,
    latitude: float,
    longitude: float,
    *,
    kind: str = "populated_place",
    country_code: str = "SY",
    alt_names: Sequence[str] = (),
    note: str = "",
    gazetteer: Gazetteer | None = None,
    path: Path | None = None,
) -> Place:
    """Store a user's correction (a place the gazetteer lacked, or the right place for a name).

    The governorate is derived from the point. The row goes to the user gazetteer file, which
    :func:`default_gazetteer` reloads on its next call.
    """
    gaz = gazetteer or default_gazetteer()
    unit = gaz.admin1_of(latitude, longitude)
    place = Place(
        place_id=f"user:{stable_id(name_key(name), round(latitude, 4), round(longitude, 4), length=12)}",
        name=name.strip(),
        kind=kind,
        country_code=unit.country_code if unit else country_code,
        latitude=latitude,
        longitude=longitude,
        admin1=unit.name if unit else None,
        admin1_code=unit.code if unit else None,
        alt_names=tuple(alt_names),
        feature_code="PPL" if kind == "populated_place" else "",
        source=f"user correction{': ' + note if note else ''}",
    )
    write_places_csv(path or user_gazetteer_path(), [place], append=True)
    return place
