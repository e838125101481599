"""The local gazetteer: places with their names, kinds and governorates, and admin-1 polygons.

Loaded from ``data/gazetteer/`` (see SOURCES.md there):

- ``places.csv``: countries, admin-1 units and GeoNames populated places (built by
  ``scripts/build_gazetteer.py``);
- ``additions.csv``: hand-checked places the registry data lacks, each with its source;
- ``admin1.geojson``: Natural Earth admin-1 polygons (Syria's 14 governorates and the
  neighbours' first-level units);
- imports, in ``$GEO_GAZETTEER_DIR`` (default ``data/gazetteer/local/``, git-ignored):
  ``wof_<CC>.csv`` and ``admin2_<CC>.geojson`` from Who's On First (``python -m geo gazetteer
  import-wof PATH`` or ``download``), ``geonames_<CC>.csv`` from GeoNames dumps. An imported row
  with the id of a shipped place (``gn:<geonameid>``), or with one of its names within
  ``MERGE_KM``, is merged into it: one place, all names, empty fields filled, shipped values kept;
- a user gazetteer (``data/user_gazetteer.csv`` or ``$GEO_USER_GAZETTEER``): corrections made in
  the dashboard, used from then on.

Tests inject a tiny gazetteer with :meth:`Gazetteer.from_places`.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import shapely
from geopy.distance import great_circle
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.ops import nearest_points

from geo.errors import GazetteerError, ValidationError
from geo.gazetteer import index_cache
from geo.gazetteer.names import name_key, skeleton_key
from geo.gazetteer.paths import DATA_DIR, gazetteer_dir, user_gazetteer_path
from geo.models import Place, stable_id

if TYPE_CHECKING:
    import geopandas as gpd

log = logging.getLogger(__name__)

# An imported place with the name of a place already loaded this close is the same place:
# cities500 and hand-checked additions carry other ids than the registry's, and WOF's records
# without a GeoNames id (from Quattroshapes) repeat GeoNames towns 1-5 km off (median 3.7 km).
MERGE_KM = 5.0
# An imported alternate name that already names a town of at least this many people farther than
# ALIAS_CLASH_KM away (a different place, not a suburb of it) is left out (_without_clashing_aliases).
ALIAS_CLASH_POPULATION = 10_000
ALIAS_CLASH_KM = 25.0
PLACE_COLUMNS = ["place_id", "name", "kind", "country_code", "latitude", "longitude", "admin1",
                 "admin1_code", "admin2", "population", "feature_code", "alt_names", "source"]
# Border towns just outside a (simplified) polygon still get its governorate within this distance.
NEAREST_POLYGON_KM = 5.0


def haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points in km (the project's one: geopy's)."""
    return great_circle(a, b).km


@dataclass(frozen=True, slots=True)
class Admin1Unit:
    """A first-level administrative unit with its polygon."""

    code: str  # ISO 3166-2
    name: str  # English short name
    country_code: str
    gn_a1_code: str
    aliases: tuple[str, ...]
    geometry: shapely.Geometry


@dataclass(frozen=True, slots=True)
class Admin2Unit:
    """A district (second-level unit) with its polygon, from an import (Who's On First counties)."""

    code: str  # HASC, e.g. SY.ID.HR
    name: str
    admin1: str | None
    admin1_code: str | None
    country_code: str
    aliases: tuple[str, ...]
    geometry: shapely.Geometry


def _import_files(directory: Path, pattern: str) -> list[Path]:
    return sorted(directory.glob(pattern)) if directory.is_dir() else []


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


def _features(path: Path, what: str) -> list[dict]:
    """The features of a GeoJSON file; GazetteerError naming ``what`` when it cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))["features"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GazetteerError(f"cannot read {what} {path}: {exc}") from exc


def read_admin1_units(path: Path) -> list[Admin1Unit]:
    units = []
    for feature in _features(path, "admin-1 polygons"):
        props = feature["properties"]
        units.append(Admin1Unit(
            code=props["iso_3166_2"], name=props["admin1"], country_code=props["country_code"],
            gn_a1_code=props.get("gn_a1_code") or "",
            aliases=tuple(a for a in (props.get("aliases") or "").split("|") if a),
            geometry=shape(feature["geometry"]),
        ))
    return units


def read_admin2_units(path: Path) -> list[Admin2Unit]:
    units = []
    for feature in _features(path, "district polygons"):
        props = feature["properties"]
        units.append(Admin2Unit(
            code=props["hasc"], name=props["admin2"], admin1=props.get("admin1") or None,
            admin1_code=props.get("admin1_code") or None, country_code=props["country_code"],
            aliases=tuple(a for a in (props.get("aliases") or "").split("|") if a),
            geometry=shape(feature["geometry"]),
        ))
    return units


def load_admin1_polygons(path: Path | None = None) -> gpd.GeoDataFrame:
    """Admin-1 polygons as a GeoDataFrame (EPSG:4326): iso_3166_2, admin1, country_code, name_ar, geometry."""
    import geopandas as gpd

    frame = gpd.read_file(path or DATA_DIR / "admin1.geojson")
    return frame.set_crs("EPSG:4326", allow_override=True)


def load_admin2_polygons(directory: Path | None = None) -> gpd.GeoDataFrame | None:
    """District polygons imported into ``directory`` (default :func:`gazetteer_dir`) as a GeoDataFrame
    (EPSG:4326): hasc, admin2, admin1, admin1_code, country_code, aliases, geometry. None when no
    import has districts (the shipped gazetteer has none)."""
    import geopandas as gpd
    import pandas as pd

    files = _import_files(directory or gazetteer_dir(), "admin2_*.geojson")
    if not files:
        return None
    frames = [gpd.read_file(f) for f in files]
    frame = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry")
    return frame.set_crs("EPSG:4326", allow_override=True)


def _merge_into(base: Place, extra: Place) -> Place:
    """``base`` with ``extra``'s names added and its empty fields filled from ``extra``."""
    names = dict.fromkeys((*base.alt_names, extra.name, *extra.alt_names))
    names.pop(base.name, None)
    return dataclasses.replace(
        base,
        admin1=base.admin1 or extra.admin1,
        admin1_code=base.admin1_code or extra.admin1_code,
        admin2=base.admin2 or extra.admin2,
        population=base.population or extra.population,
        # The registry's finer code wins over a bare "PPL" (PPLA2: a district seat).
        feature_code=extra.feature_code if base.feature_code in ("", "PPL") and extra.feature_code.startswith("PPL")
        else base.feature_code,
        alt_names=tuple(names),
        source=base.source if extra.source in base.source else f"{base.source}; {extra.source}",
    )


def _without_clashing_aliases(place: Place, merged: dict[str, Place], by_key: dict[str, list[str]]) -> Place:
    """``place`` without the alternate names that already name another, larger town far away: a
    registry's alias lists mix in neighbours' names (one Who's On First record of Afrin carries
    "Kobanî", the town 100 km east), and such an alias would make the town's own name ambiguous."""
    def clashes(alias: str) -> bool:
        return any(other.population >= ALIAS_CLASH_POPULATION and other.kind == "populated_place"
                   and haversine_km(other.point, place.point) > ALIAS_CLASH_KM
                   for other in (merged[pid] for pid in by_key.get(name_key(alias), ()) if pid != place.place_id))
    kept = tuple(a for a in place.alt_names if not clashes(a))
    return place if len(kept) == len(place.alt_names) else dataclasses.replace(place, alt_names=kept)


def merge_imported(merged: dict[str, Place], imported: Iterable[Place]) -> int:
    """Merge imported places into ``merged`` (place_id -> place) in place; returns how many merged.

    Same id: one place. Else a place of the same kind and country with one of its names within
    MERGE_KM (loaded earlier, or earlier in this import) is the same place, kept under the first
    id. Else the imported place is added."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for pid, place in merged.items():
        if place.kind in ("populated_place", "admin2"):
            for name in Gazetteer.names_of(place):
                by_key[name_key(name)].append(pid)
    count = 0
    for place in imported:
        place = _without_clashing_aliases(place, merged, by_key)
        target = place.place_id if place.place_id in merged else None
        if target is None:
            for name in Gazetteer.names_of(place):
                for pid in by_key.get(name_key(name), ()):
                    other = merged[pid]
                    if (other.kind == place.kind and other.country_code == place.country_code
                            and haversine_km(other.point, place.point) <= MERGE_KM):
                        target = pid
                        break
                if target:
                    break
        if target is None:
            merged[place.place_id] = place
            if place.kind in ("populated_place", "admin2"):  # later rows of the import may be its duplicates
                for name in Gazetteer.names_of(place):
                    by_key[name_key(name)].append(place.place_id)
            continue
        merged[target] = _merge_into(merged[target], place)
        count += 1
    return count


class Gazetteer:
    """Places indexed by normalised name, and admin-1 polygons for point-in-polygon."""

    def __init__(
        self,
        places: Sequence[Place],
        admin1_units: Sequence[Admin1Unit] = (),
        admin2_units: Sequence[Admin2Unit] = (),
        *,
        index: dict[str, dict] | None = None,
    ) -> None:
        self.places: list[Place] = list(places)
        self.admin1_units: list[Admin1Unit] = list(admin1_units)
        self.admin2_units: list[Admin2Unit] = list(admin2_units)
        self._by_id: dict[str, Place] = {p.place_id: p for p in self.places}
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.by_skeleton: dict[str, list[int]] = defaultdict(list)
        self.surface_names: dict[str, str] = {}  # name_key -> one surface form (for display)
        if index is not None:  # from the load cache: the same dicts, computed earlier
            self.by_key.update(index["by_key"])
            self.by_skeleton.update(index["by_skeleton"])
            self.surface_names.update(index["surface_names"])
        else:
            self._index_names()
        self.keys: list[str] = list(self.by_key)
        self._tree = STRtree([u.geometry for u in self.admin1_units]) if self.admin1_units else None
        self._tree2 = STRtree([u.geometry for u in self.admin2_units]) if self.admin2_units else None
        self._admin1_by_name = {u.name: u for u in self.admin1_units}

    def _index_names(self) -> None:
        for idx, place in enumerate(self.places):
            self._index_place(idx, place)

    def _index_place(self, idx: int, place: Place) -> None:
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

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_places(
        cls,
        places: Sequence[Place],
        admin1_units: Sequence[Admin1Unit] = (),
        admin2_units: Sequence[Admin2Unit] = (),
    ) -> Gazetteer:
        """A gazetteer from explicit places (tests pass a tiny one)."""
        return cls(places, admin1_units, admin2_units)

    @classmethod
    def load(
        cls,
        directory: Path | str = DATA_DIR,
        *,
        user_path: Path | None = None,
        import_dir: Path | str | None = None,
        with_imports: bool = True,
    ) -> Gazetteer:
        """The shipped gazetteer in ``directory``, the imports in ``import_dir`` (default
        :func:`gazetteer_dir`; none with ``with_imports=False``) merged on top, then the user's
        corrections."""
        directory = Path(directory)
        if not (directory / "places.csv").exists():
            raise GazetteerError(
                f"no gazetteer at {directory}: run `python scripts/build_gazetteer.py` to build it"
            )
        imports = Path(import_dir) if import_dir is not None else gazetteer_dir()
        user = user_path if user_path is not None else user_gazetteer_path()
        shipped = [directory / "places.csv", *sorted(directory.glob("geonames_*.csv")), directory / "additions.csv"]
        import_files = _import_files(imports, "*.csv") if with_imports else []
        units = read_admin1_units(directory / "admin1.geojson")
        district_files = _import_files(imports, "admin2_*.geojson") if with_imports else []
        districts = [u for f in district_files for u in read_admin2_units(f)]
        gaz = None
        cache_path, sig = None, ""
        if import_files or district_files:
            # The user's corrections are applied after the cache: saving one must not refold 50,000 names.
            cache_path = imports / index_cache.CACHE_NAME
            sig = index_cache.signature([*shipped, *import_files, *district_files])
            cached = index_cache.read(cache_path, sig)
            if cached is not None:
                gaz = cls(cached[0], units, districts, index=cached[1])
        if gaz is None:
            merged: dict[str, Place] = {}
            # Shipped files refine earlier rows with the same id (older GeoNames imports lived here too).
            for path in shipped:
                if path.exists():
                    merged.update((p.place_id, p) for p in read_places_csv(path))
            for path in import_files:
                merge_imported(merged, read_places_csv(path))
            gaz = cls(list(merged.values()), units, districts)
            if districts:
                gaz._fill_admin2()
            if cache_path is not None:
                index_cache.write(cache_path, sig, gaz.places, {
                    "by_key": gaz.by_key, "by_skeleton": gaz.by_skeleton, "surface_names": gaz.surface_names})
        if user.exists():
            gaz.put_places(read_places_csv(user))  # corrections win
        log.info("gazetteer: %d places, %d admin-1 units, %d districts from %s and %s",
                 len(gaz), len(units), len(districts), directory, imports)
        return gaz

    def put_places(self, places: Iterable[Place]) -> None:
        """Add places, or replace those with the same id (names re-indexed)."""
        position = {p.place_id: i for i, p in enumerate(self.places)}
        for place in places:
            if place.kind == "populated_place" and not place.admin2 and self.admin2_units:
                unit = self.admin2_of(place.latitude, place.longitude)
                if unit is not None and unit.country_code == place.country_code:
                    place = dataclasses.replace(place, admin2=unit.name)
            idx = position.get(place.place_id)
            if idx is None:
                idx = position[place.place_id] = len(self.places)
                self.places.append(place)
            else:
                for index in (self.by_key, self.by_skeleton):
                    for key in list(index):
                        if idx in index[key]:
                            index[key].remove(idx)
                            if not index[key]:
                                del index[key]
                self.places[idx] = place
            self._by_id[place.place_id] = place
            self._index_place(idx, place)
        self.keys = list(self.by_key)

    def _fill_admin2(self) -> None:
        """Give places without a district the district their point falls in (same country only)."""
        countries = {u.country_code for u in self.admin2_units}
        todo = [i for i, p in enumerate(self.places)
                if not p.admin2 and p.kind == "populated_place" and p.country_code in countries]
        for idx in todo:
            place = self.places[idx]
            unit = self.admin2_of(place.latitude, place.longitude)
            if unit is not None and unit.country_code == place.country_code:
                self.places[idx] = dataclasses.replace(place, admin2=unit.name)
                self._by_id[place.place_id] = self.places[idx]

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

    def areas_by_key(self, key: str) -> list[Place]:
        """The admin-1 areas (governorates, provinces) whose name folds to ``key`` (name_key)."""
        return [place for i in self.by_key.get(key, ()) if (place := self.places[i]).kind == "admin1"]

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

    def admin2_of(self, latitude: float, longitude: float) -> Admin2Unit | None:
        """The district containing the point, else the nearest within NEAREST_POLYGON_KM; None when no
        districts are imported (see ``python -m geo gazetteer import-wof``)."""
        if self._tree2 is None:
            return None
        point = Point(longitude, latitude)
        hits = self._tree2.query(point, predicate="intersects")
        if len(hits):
            return self.admin2_units[int(min(hits))]
        unit = self.admin2_units[int(self._tree2.nearest(point))]
        nearest = nearest_points(unit.geometry, point)[0]
        if haversine_km((latitude, longitude), (nearest.y, nearest.x)) <= NEAREST_POLYGON_KM:
            return unit
        return None

    def admin1_by_gn_code(self) -> dict[str, Admin1Unit]:
        return {u.gn_a1_code: u for u in self.admin1_units if u.gn_a1_code}


@lru_cache(maxsize=4)
def _load_cached(directory: str, import_dir: str, signature: tuple, user_path: str, user_mtime: float) -> Gazetteer:
    return Gazetteer.load(Path(directory), user_path=Path(user_path), import_dir=Path(import_dir))


def _dir_signature(directory: Path) -> tuple:
    """(name, mtime) of the import files, so that a new import is picked up on the next call."""
    files = _import_files(directory, "*.csv") + _import_files(directory, "*.geojson")
    return tuple((f.name, f.stat().st_mtime_ns) for f in files)


def default_gazetteer() -> Gazetteer:
    """The shared gazetteer: data/gazetteer plus the imports in :func:`gazetteer_dir` plus the user's
    corrections (reloaded when an import or the user gazetteer changes)."""
    user = user_gazetteer_path()
    mtime = user.stat().st_mtime if user.exists() else 0.0
    imports = gazetteer_dir()
    return _load_cached(str(DATA_DIR), str(imports), _dir_signature(imports), str(user), mtime)


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
