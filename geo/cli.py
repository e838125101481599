"""Command-line interface: a thin layer over the library.

    python -m geo geocode NAME [--all] [--admin1 X] [--country CC] [--kind K]
    python -m geo geocode -                      # one name per line on stdin -> JSON lines
    python -m geo extract ARTICLE.txt --published 2014-01-05
    python -m geo extract --jsonl IN.jsonl       # {"id","text","published"} -> {"id","events","unresolved"}
    python -m geo evaluate GOLD.csv [--misses]
    python -m geo gazetteer import-geonames SY.txt
    python -m geo gazetteer info
    python -m geo ingest / export / info         # the store (see geo/cli_store.py)

Errors of the library (``geo.errors.GeoError``) are translated here, once, into a one-line
message on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from geo.errors import BadInputError, GeoError

log = logging.getLogger(__name__)


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=_json_default)


def mention_record(m) -> dict:
    return {"text": m.text, "start": m.start, "end": m.end, "cue": m.cue}


# -- geocode -----------------------------------------------------------------------------------
def cmd_geocode(args: argparse.Namespace) -> int:
    from geo.geocoder import LocalGeocoder, location_record

    geocoder = LocalGeocoder()
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


# -- extract -----------------------------------------------------------------------------------
def _event_dicts(result) -> list[dict]:
    return [e.to_record() for e in result.events]


def cmd_extract(args: argparse.Namespace) -> int:
    from geo.dates import parse_published
    from geo.models import Article, stable_id
    from geo.pipeline import Geoparser

    parser = Geoparser()
    if args.jsonl:
        failures = 0
        stream = sys.stdin if args.jsonl == "-" else open(args.jsonl, encoding="utf-8")
        with stream:
            for line_no, line in enumerate(stream, start=1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    text = item["text"]
                    if not isinstance(text, str):
                        raise BadInputError("'text' must be a string")
                    article = Article(article_id=str(item.get("id") or stable_id(text)), text=text,
                                      published=parse_published(item.get("published")))
                    result = parser.extract(article)
                    print(dumps({"id": item.get("id"), "events": _event_dicts(result),
                                 "unresolved": [mention_record(m) for m in result.unresolved]}))
                except (ValueError, KeyError, GeoError) as exc:
                    failures += 1
                    item_id = item.get("id") if isinstance(locals().get("item"), dict) else None
                    print(dumps({"id": item_id, "events": [], "unresolved": [],
                                 "error": f"line {line_no}: {type(exc).__name__}: {exc}"}))
        return 0 if not failures else 1
    if not args.article:
        raise BadInputError("give an ARTICLE file or --jsonl IN.jsonl")
    path = Path(args.article)
    text = sys.stdin.read() if args.article == "-" else _read_text(path)
    article = Article(article_id=args.id or stable_id(path.name if args.article != "-" else text),
                      text=text, published=parse_published(args.published), source=args.source or "")
    result = parser.extract(article)
    for event in result.events:
        print(dumps(event.to_record()))
    for mention in result.unresolved:
        log.warning("unresolved place name %r at %d-%d", mention.text, mention.start, mention.end)
    return 0


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInputError(f"cannot read: {exc.strerror}", path=str(path)) from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInputError("not UTF-8 text", path=str(path)) from exc


# -- evaluate ----------------------------------------------------------------------------------
def cmd_evaluate(args: argparse.Namespace) -> int:
    from geo.evaluate import evaluate_csv

    report = evaluate_csv(Path(args.gold), keep_misses=args.misses)
    print(json.dumps(report.as_dict(), indent=2))
    if args.misses:
        for miss in report.misses:
            print(dumps(miss), file=sys.stderr)
    return 0


# -- gazetteer ---------------------------------------------------------------------------------
def cmd_gazetteer(args: argparse.Namespace) -> int:
    from geo.gazetteer import default_gazetteer

    if args.gaz_command == "import-geonames":
        from geo.geonames_import import import_geonames

        out, count, problems = import_geonames(Path(args.dump))
        for problem in problems[:50]:
            print(f"warning: {problem}", file=sys.stderr)
        print(dumps({"imported": count, "written_to": str(out), "problems": len(problems)}))
        return 0
    gaz = default_gazetteer()
    kinds: dict[str, int] = {}
    countries: dict[str, int] = {}
    for p in gaz.places:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
        countries[p.country_code] = countries.get(p.country_code, 0) + 1
    print(dumps({"places": len(gaz), "names": len(gaz.by_key), "admin1_units": len(gaz.admin1_units),
                 "by_kind": kinds, "by_country": countries}))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description="Offline conflict-event mapper.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress (INFO)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("geocode", help="resolve a place name with the local gazetteer")
    p.add_argument("name", help="a place name, or - to read one name per line from stdin")
    p.add_argument("--all", action="store_true", help="print all ranked candidates")
    p.add_argument("--admin1", help="governorate hint (English short name or ISO 3166-2 code)")
    p.add_argument("--country", help="country hint (ISO 3166-1 alpha-2, e.g. SY)")
    p.add_argument("--kind", choices=["country", "admin1", "admin2", "populated_place"], help="feature kind wanted")
    p.set_defaults(func=cmd_geocode)

    p = sub.add_parser("extract", help="extract events from an article (JSON lines on stdout)")
    p.add_argument("article", nargs="?", help="a UTF-8 text file, or - for stdin")
    p.add_argument("--published", help="publication date YYYY-MM-DD (no date: undated events)")
    p.add_argument("--id", help="article id (default: from the file name)")
    p.add_argument("--source", help="source name stored on the events")
    p.add_argument("--jsonl", help='batch: lines {"id","text","published"}; - for stdin')
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("evaluate", help="score extraction on a labelled CSV")
    p.add_argument("gold", help="CSV with id,text,published,admin1,latitude,longitude[,text_names_location]")
    p.add_argument("--misses", action="store_true", help="list wrong rows on stderr")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("gazetteer", help="gazetteer tools")
    gsub = p.add_subparsers(dest="gaz_command", required=True)
    g = gsub.add_parser("import-geonames", help="merge a GeoNames country dump (e.g. SY.txt)")
    g.add_argument("dump", help="GeoNames tab-separated dump file")
    gsub.add_parser("info", help="counts of places by kind and country")
    p.set_defaults(func=cmd_gazetteer)

    try:
        from geo import cli_store
    except ImportError as exc:  # the store commands are optional until geo/cli_store.py exists
        log.debug("store commands unavailable: %s", exc)
    else:
        cli_store.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        return int(args.func(args) or 0)
    except GeoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
