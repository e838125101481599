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
    if args.csv:
        return _geocode_csv(geocoder, args, hints)
    if args.name is None:
        print("error: give a NAME, - (names or JSON lines on stdin) or --csv IN.csv", file=sys.stderr)
        return 2
    if args.name == "-":
        from geo.gazetteer import geocode_lines

        failed = False
        for record in geocode_lines(geocoder, sys.stdin, **{k: v for k, v in hints.items() if v}):
            failed |= "error" in record
            print(dumps(record), flush=False)
        return 1 if failed else 0
    if args.all:
        locations = geocoder.geocode(args.name, exactly_one=False, **hints)
        print(dumps([location_record(args.name, loc) for loc in locations]))
        return 0 if locations else 1
    loc = geocoder.geocode(args.name, **hints)
    print(dumps(location_record(args.name, loc)))
    return 0 if loc is not None else 1


def _geocode_csv(geocoder: Any, args: argparse.Namespace, hints: dict[str, Any]) -> int:
    from geo.errors import BadInputError
    from geo.gazetteer import geocode_csv

    if not args.name_column:
        print("error: --csv needs --name-column", file=sys.stderr)
        return 2
    defaults = {k: v for k, v in hints.items() if v}
    try:
        source = sys.stdin if args.csv == "-" else open(args.csv, newline="", encoding="utf-8-sig")  # noqa: SIM115
    except OSError as exc:
        raise BadInputError(f"cannot open: {exc}", path=args.csv) from exc
    with source:
        if args.output in (None, "-"):
            counts = geocode_csv(geocoder, source, sys.stdout, name_column=args.name_column,
                                 admin1_column=args.admin1_column, **defaults)
        else:
            out_path = Path(args.output)
            tmp = out_path.with_name(out_path.name + ".tmp")
            with open(tmp, "w", newline="", encoding="utf-8") as out:
                counts = geocode_csv(geocoder, source, out, name_column=args.name_column,
                                     admin1_column=args.admin1_column, **defaults)
            tmp.replace(out_path)  # a failed run leaves no half-written spreadsheet
    print(dumps(counts), file=sys.stderr)
    return 0


# -- gazetteer ---------------------------------------------------------------------------------
def cmd_gazetteer(args: argparse.Namespace) -> int:
    from geo.gazetteer import default_gazetteer, gazetteer_dir

    if args.gaz_command == "import-geonames":
        from geo.gazetteer import import_geonames

        out, count, problems = import_geonames(Path(args.dump), out_dir=gazetteer_dir())
        for problem in problems[:50]:
            print(f"warning: {problem}", file=sys.stderr)
        print(dumps({"imported": count, "written_to": str(out), "problems": len(problems)}))
        return 0
    if args.gaz_command == "import-wof":
        from geo.gazetteer import import_wof

        summary = import_wof(Path(args.path))
        for problem in summary.pop("problem_lines"):
            print(f"warning: {problem}", file=sys.stderr)
        print(dumps(summary))
        return 0
    if args.gaz_command == "download":
        from geo.gazetteer import download_wof, make_pin

        if args.pin:
            print(dumps(make_pin()))
            return 0
        summary = download_wof(url=args.url, sha256=args.sha256)
        summary.pop("problem_lines", None)
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
    p.add_argument("name", nargs="?", help="a place name, or - to read names or JSON lines from stdin "
                   '({"name": ..., "admin1": ..., "country": ..., "near": [lat, lon]}: hints per row)')
    p.add_argument("--csv", metavar="IN.csv", help="geocode a CSV's name column; every row is kept, in order")
    p.add_argument("--name-column", help="with --csv: the column holding place names")
    p.add_argument("--admin1-column", help="with --csv: a column holding each row's governorate (a hint)")
    p.add_argument("-o", "--output", metavar="OUT.csv", help="with --csv: where to write (default stdout)")
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
    g = gsub.add_parser("download", help="download Who's On First Syria at the pinned commit, check it, import it")
    g.add_argument("--url", help="another tarball URL (a mirror); needs --sha256")
    g.add_argument("--sha256", help="the tarball's SHA-256 (default: the pin's)")
    g.add_argument("--pin", action="store_true", help="maintainers: pin the repository's current commit (online)")
    gsub.add_parser("info", help="counts of places by kind and country")
    p.set_defaults(func=cmd_gazetteer)

