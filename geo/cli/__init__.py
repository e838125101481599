"""Command-line interface: a thin layer over the library, one module per stage.

    python -m geo geocode NAME [--all] [--admin1 X] [--country CC] [--kind K]   (cli/places.py)
    python -m geo gazetteer info | import-geonames SY.txt
    python -m geo extract ARTICLE.txt --published 2014-01-05                    (cli/extraction.py)
    python -m geo extract --jsonl IN.jsonl
    python -m geo evaluate GOLD.csv [--misses]
    python -m geo ingest / export / info / migrate                              (cli/store.py)

Errors of the library (``geo.errors.GeoError``) are translated here, once, into a one-line
message on stderr and exit code 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from geo.cli import extraction, places, store
from geo.errors import GeoError

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description="Offline conflict-event mapper.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress (INFO)")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in (places, extraction, store):
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit code 0, 1 (a library error) or 2 (usage)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
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
