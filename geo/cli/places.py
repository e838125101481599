"""``geocode`` and ``gazetteer``: places."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from geo.cli.common import dumps


# -- geocode -----------------------------------------------------------------------------------
def cmd_geocode(args: argparse.Namespace) -> int:
    from geo.gazetteer import LocalGeocoder, location_record

    geocoder = LocalGeocoder(focus=args.focus)
    hints = {"admin1": args.admin1, "country": args.country, "kind": args.kind}
    if args.name == "-":
        for line in sys.stdin:
            name = line.rstrip("\n")
            loc = geocoder.geocode(name, **hints) if name.strip() else None
            print(dumps(location_record(name, loc)), flush=False)
        return 0
    if args.all:
        locations = geocoder.geocode(args.name, exactly_one=False, **hints)
        print(dumps([location_record(args.name, loc) for loc in locations]))
        return 0 if locations else 1
    loc = geocoder.geocode(args.name, **hints)
    print(dumps(location_record(args.name, loc)))
    return 0 if loc is not None else 1


# -- gazetteer ---------------------------------------------------------------------------------
def cmd_gazetteer(args: argparse.Namespace) -> int:
    from geo.gazetteer import default_gazetteer, gazetteer_dir

    if args.gaz_command == "import-geonames":
        from geo.gazetteer.geonames import import_geonames

        out, count, problems = import_geonames(Path(args.dump), out_dir=gazetteer_dir())
        for problem in problems[:50]:
            print(f"warning: {problem}", file=sys.stderr)
        print(dumps({"imported": count, "written_to": str(out), "problems": len(problems)}))
        return 0
    if args.gaz_command == "import-wof":
        from geo.gazetteer.wof import import_wof

        summary = import_wof(Path(args.path))
        for problem in summary.pop("problem_lines"):
            print(f"warning: {problem}", file=sys.stderr)
        print(dumps(summary))
        return 0
    gaz = default_gazetteer()
    kinds: dict[str, int] = {}
    countries: dict[str, int] = {}
    for p in gaz.places:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
        countries[p.country_code] = countries.get(p.country_code, 0) + 1
    print(dumps({"places": len(gaz), "names": len(gaz.by_key), "admin1_units": len(gaz.admin1_units),
                 "admin2_units": len(gaz.admin2_units), "imports_dir": str(gazetteer_dir()),
                 "by_kind": kinds, "by_country": countries}))
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("geocode", help="resolve a place name with the local gazetteer")
    p.add_argument("name", help="a place name, or - to read one name per line from stdin")
    p.add_argument("--all", action="store_true", help="print all ranked candidates")
    p.add_argument("--admin1", help="governorate hint (English short name or ISO 3166-2 code)")
    p.add_argument("--country", help="only places in these countries (ISO 3166-1 alpha-2, comma-separated: SY or SY,TR)")
    p.add_argument("--focus", help="focus country: a name that exists there never resolves abroad without a hint "
                                   "(default: $GEO_FOCUS, else SY)")
    p.add_argument("--kind", choices=["country", "admin1", "admin2", "populated_place"], help="feature kind wanted")
    p.set_defaults(func=cmd_geocode)

    p = sub.add_parser("gazetteer", help="gazetteer tools")
    gsub = p.add_subparsers(dest="gaz_command", required=True)
    g = gsub.add_parser("import-geonames", help="merge a GeoNames country dump (e.g. SY.txt)")
    g.add_argument("dump", help="GeoNames tab-separated dump file")
    g = gsub.add_parser("import-wof", help="import a Who's On First repository checkout (localities, districts)")
    g.add_argument("path", help="e.g. a clone of github.com/whosonfirst-data/whosonfirst-data-admin-sy")
    gsub.add_parser("info", help="counts of places by kind and country")
    p.set_defaults(func=cmd_gazetteer)

