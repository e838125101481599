"""``extract`` and ``evaluate``: events from text."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from geo.cli.common import dumps
from geo.errors import BadInputError, GeoError

log = logging.getLogger(__name__)


def mention_record(m) -> dict:
    return {"text": m.text, "start": m.start, "end": m.end, "cue": m.cue}


# -- extract -----------------------------------------------------------------------------------
def _event_dicts(result) -> list[dict]:
    return [e.to_record() for e in result.events]


def cmd_extract(args: argparse.Namespace) -> int:
    from geo.dates import parse_published
    from geo.models import Article, stable_id
    from geo.extract import Geoparser

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
    from geo.extract.evaluate import evaluate_csv

    report = evaluate_csv(Path(args.gold), keep_misses=args.misses)
    print(json.dumps(report.as_dict(), indent=2))
    if args.misses:
        for miss in report.misses:
            print(dumps(miss), file=sys.stderr)
    return 0


def register(sub: Any) -> None:
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

