"""``ingest``, ``export``, ``info``, ``history``, ``migrate``: the store.

    python -m geo ingest PATH... [--store S] [--format text|acled|ucdp] [--max-bytes N] [--quiet]
                         [--workers N | --scheduler tcp://HOST:PORT]
    python -m geo export -o OUT [--format geojson|csv|gpkg] [--store S] [--from D] [--to D]
                         [--admin1 A ...] [--type T ...] [--actor X ...] [--text T]
                         [--bbox minlat,minlon,maxlat,maxlon] [--max-precision P] [--no-undated]
    python -m geo info [--store S]
    python -m geo history [--store S] [--event ID] [--limit N]
    python -m geo migrate --from SOURCE --to TARGET    # copy a store (e.g. .gpkg -> postgresql://)

The store is ``--store``, else ``$GEO_STORE``, else data/events.gpkg; a ``postgresql://``
URL selects the PostGIS store.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import re
import sys
from pathlib import Path
from typing import Any

from geo.cli.common import add_store_option
from geo.models import EVENT_TYPES

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------
# Argument types (ValueError/ArgumentTypeError -> argparse usage error, exit 2)
# ---------------------------------------------------------------------------------------


def _iso_date(text: str) -> dt.date:
    from geo.dates import parse_date

    try:
        value = parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD): {exc}") from None
    if value is None:
        raise argparse.ArgumentTypeError("an empty date: give YYYY-MM-DD")
    return value


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)


def _byte_size(text: str) -> int:
    """``5000000``, ``5MB``, ``512k``, ``1G`` -> bytes (binary multiples)."""
    match = _SIZE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size (e.g. 5000000, 5MB, 512k)")
    unit = (match[2] or "b")[0].lower()
    size = int(float(match[1]) * {"b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit])
    if size <= 0:
        raise argparse.ArgumentTypeError("the size limit must be positive")
    return size


def _count(text: str) -> int:
    """A non-negative whole number (``--limit``): ``1e23``, ``-1`` or ``ten`` are usage errors."""
    value = text.strip()
    if not value.isdigit() or len(value) > 12:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 0 to 999999999999")
    return int(value)


def _bbox(text: str) -> tuple[float, float, float, float]:
    parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != 4:
        raise argparse.ArgumentTypeError(f"{text!r}: give four numbers minlat,minlon,maxlat,maxlon")
    min_lat, min_lon, max_lat, max_lon = values
    if min_lat > max_lat or min_lon > max_lon:
        raise argparse.ArgumentTypeError(f"{text!r}: min must not exceed max (order: minlat,minlon,maxlat,maxlon)")
    return values  # type: ignore[return-value]


def _admin1(text: str) -> str:
    from geo.ingest import normalize_admin1
    from geo.models import SYRIA_GOVERNORATES

    name = normalize_admin1(text)
    if name is None:
        raise argparse.ArgumentTypeError(
            f"unknown governorate {text!r} (one of: {', '.join(SYRIA_GOVERNORATES)})"
        )
    return name


def _event_type(text: str) -> str:
    for name in EVENT_TYPES:
        if name.lower() == text.strip().lower():
            return name
    raise argparse.ArgumentTypeError(f"unknown event type {text!r} (one of: {'; '.join(EVENT_TYPES)})")


def _sub_event_type(text: str) -> str:
    for subs in EVENT_TYPES.values():
        for name in subs:
            if name.lower() == text.strip().lower():
                return name
    raise argparse.ArgumentTypeError(f"unknown sub-event type {text!r}")


# ---------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------





def cmd_ingest(args: argparse.Namespace) -> int:
    """Read articles or dataset exports into the store; print a summary."""
    from geo.ingest import (
        DEFAULT_DATASET_MAX_BYTES,
        DEFAULT_MAX_BYTES,
        build_extractor,
        ingest_paths,
        printable,
    )
    from geo.store import open_store

    parallel = args.workers is not None or bool(args.scheduler)
    extractor = build_extractor(args.extractor) if args.format == "text" and not parallel else None
    max_bytes = args.max_bytes or (DEFAULT_MAX_BYTES if args.format == "text" else DEFAULT_DATASET_MAX_BYTES)
    with open_store(args.store) as store:
        if parallel:
            from geo.ingest.parallel import ingest_paths_parallel

            summary = ingest_paths_parallel(
                args.paths, store, args.extractor, workers=args.workers, scheduler=args.scheduler,
                fmt=args.format, max_bytes=max_bytes, progress=not args.quiet,
            )
        else:
            summary = ingest_paths(
                args.paths,
                store,
                extractor,
                fmt=args.format,
                max_bytes=max_bytes,
                progress=not args.quiet,
            )
        location = store.location
    lines = summary.lines()  # escaped: a file name cannot forge a line
    print(f"{printable(location)}: {lines[0]}")
    for line in lines[1:]:
        print(line)
    # Non-zero when any input, article or row was not ingested (warnings and duplicates are fine).
    return 0 if summary.ok else 1


def _filter_from_args(args: argparse.Namespace) -> Any:
    from geo.store import EventFilter

    return EventFilter(
        date_from=args.date_from,
        date_to=args.date_to,
        include_undated=not args.no_undated,
        admin1=tuple(args.admin1 or ()),
        event_types=tuple(args.types or ()),
        sub_event_types=tuple(args.sub_types or ()),
        actors=tuple(args.actors or ()),
        text=args.text or "",
        bbox=args.bbox,
        max_geo_precision=args.max_precision,
        article_id=args.article,
        limit=args.limit,
    )


def cmd_export(args: argparse.Namespace) -> int:
    """Write the events matching the filters as GeoJSON, CSV or GeoPackage."""
    from geo.export import export_events, export_filename, format_for_path
    from geo.store import open_store

    flt = _filter_from_args(args)
    output = args.output
    if output != "-" and (Path(output).is_dir() or output.endswith(("/", os.sep))):
        # A folder: the file is named after what it holds (events_aleppo_2014-01-03_2014-01-05.geojson).
        fmt = args.format or "geojson"
        output = str(Path(output) / export_filename(flt, fmt))
    else:
        fmt = args.format or format_for_path(output)
    with open_store(args.store, create=False) as store:
        count = export_events(store, flt, fmt, output)
    target = "stdout" if output == "-" else _terminal_text(output)
    print(f"wrote {count} events to {target} ({fmt})", file=sys.stderr)
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    """Print where the store is and what it holds."""
    from geo.store import open_store

    with open_store(args.store, create=False) as store:
        info = store.info()
    span = f"{info.date_span[0]} to {info.date_span[1]}" if info.date_span else "no dated events"
    print(f"store:    {info.location}")
    print(f"articles: {info.articles}")
    print(f"events:   {info.events} ({info.undated} undated)")
    print(f"dates:    {span}")
    if info.size_bytes is not None:
        print(f"size:     {info.size_bytes / 1024 / 1024:.1f} MB")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Copy every article and event from one store to another (GeoPackage <-> PostGIS)."""
    from geo.store import copy_store, open_store

    with open_store(args.source, create=False) as source, open_store(args.target) as target:
        if source.location == target.location:
            print("error: --from and --to are the same store", file=sys.stderr)
            return 1
        summary = copy_store(source, target)
        print(f"{source.location} -> {target.location}: {summary}")
    return 0


def _terminal_text(text: str) -> str:
    """User text for one terminal line: control characters (newlines, ANSI escapes) shown escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def cmd_history(args: argparse.Namespace) -> int:
    """List the recorded edits of stored events, newest first."""
    from geo.store import open_store

    with open_store(args.store, create=False) as store:
        changes = store.history(event_id=args.event, limit=args.limit)
    if not changes:
        print("no recorded changes" + (f" of event {_terminal_text(args.event)}" if args.event else ""))
    for c in changes:
        fields = ", ".join(f for f in c.changed_fields if f != "reviewed") if c.action in ("edit", "update") else ""
        undone = f" (undone by #{c.undone_by})" if c.undone_by is not None else ""
        print(f"#{c.change_id}  {c.changed_at:%Y-%m-%d %H:%M:%S}Z  {c.action:<6}  event {_terminal_text(c.event_id)}"
              f"  article {_terminal_text(c.article_id)}" + (f"  [{fields}]" if fields else "")
              + (f"  {_terminal_text(c.note)}" if c.note else "") + undone)
    return 0


def _workers(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: the number of workers must be a positive integer")
    return n


# ---------------------------------------------------------------------------------------
# Registration
# ---------------------------------------------------------------------------------------


def register(subparsers: Any) -> None:
    """Add ``ingest``, ``export``, ``info``, ``history`` and ``migrate``."""
    from geo.ingest import INPUT_FORMATS

    p = subparsers.add_parser(
        "ingest",
        help="read articles or ACLED/UCDP exports into the store",
        description="Read text/HTML/CSV/JSONL articles (files or folders, recursively) or ACLED/UCDP "
        "CSV exports into the store. One transaction per article; re-ingesting an unchanged "
        "input adds nothing, an edited one replaces its own events.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    add_store_option(p)
    p.add_argument("--format", choices=INPUT_FORMATS, default="text", help="input format (default: text)")
    p.add_argument(
        "--max-bytes",
        type=_byte_size,
        metavar="N",
        help="skip files larger than N bytes (e.g. 5MB; default 5 MB for text, 2 GB for datasets)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.add_argument(
        "--extractor",
        metavar="MODULE:NAME",
        help="extraction function or class with .extract (default geo.extract.pipeline:Geoparser)",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=_workers, metavar="N",
                       help="extract in parallel on a local Dask cluster of N processes (writes stay in this one)")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="extract on an existing Dask cluster (its workers need this package installed)")
    p.set_defaults(func=cmd_ingest)

    _register_export(subparsers)
    _register_store_tools(subparsers)


def _register_export(subparsers: Any) -> None:
    from geo.export import EXPORT_FORMATS

    p = subparsers.add_parser(
        "export",
        help="write filtered events as GeoJSON, CSV or GeoPackage",
        description="Write the events matching the filters. Filters combine with AND; repeated "
        "values of one filter combine with OR.",
    )
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output file, - for stdout, or a folder (the file is then named after the filters, "
                   "e.g. events_aleppo_2014-01-03_2014-01-05.geojson; format geojson unless --format)")
    p.add_argument("--format", choices=EXPORT_FORMATS, help="default: from the suffix of OUT")
    add_store_option(p)
    p.add_argument("--from", dest="date_from", type=_iso_date, metavar="YYYY-MM-DD", help="first day (inclusive)")
    p.add_argument("--to", dest="date_to", type=_iso_date, metavar="YYYY-MM-DD", help="last day (inclusive)")
    p.add_argument("--no-undated", action="store_true", help="leave out events without a date")
    p.add_argument("--admin1", nargs="+", action="extend", type=_admin1, metavar="NAME", help="governorate(s)")
    p.add_argument("--type", dest="types", nargs="+", action="extend", type=_event_type, metavar="TYPE",
                   help="ACLED event type(s), e.g. Battles")
    p.add_argument("--sub-type", dest="sub_types", nargs="+", action="extend", type=_sub_event_type,
                   metavar="SUBTYPE", help="ACLED sub-event type(s)")
    p.add_argument("--actor", dest="actors", nargs="+", action="extend", metavar="ACTOR",
                   help="actor name(s), matching actor1 or actor2 exactly")
    p.add_argument("--text", help="case-insensitive text in notes, location or actors")
    p.add_argument("--bbox", type=_bbox, metavar="MINLAT,MINLON,MAXLAT,MAXLON", help="bounding box")
    p.add_argument("--max-precision", type=int, choices=(1, 2, 3), default=3,
                   help="keep events with geo_precision <= this (1 = town only)")
    p.add_argument("--article", metavar="ID", help="only the events of this article")
    p.add_argument("--limit", type=_count, metavar="N", help="at most N events (most recent first)")
    p.set_defaults(func=cmd_export)


def _register_store_tools(subparsers: Any) -> None:
    """``info``, ``history`` and ``migrate``."""
    p = subparsers.add_parser("info", help="store path, article and event counts, date span")
    add_store_option(p)
    p.set_defaults(func=cmd_info)

    p = subparsers.add_parser("history", help="list the recorded edits of events (newest first)",
                              description="Edits, merges, deletions and replacements of stored events, "
                              "newest first; each can be undone from the dashboard.")
    add_store_option(p)
    p.add_argument("--event", metavar="ID", help="only the changes of this event")
    p.add_argument("--limit", type=_count, default=100, metavar="N", help="at most N changes (default 100)")
    p.set_defaults(func=cmd_history)

    p = subparsers.add_parser(
        "migrate",
        help="copy a store to another (e.g. a GeoPackage to PostGIS), losslessly",
        description="Copy every article and its events, all fields, one transaction per article. "
        "Re-running copies only what changed.",
    )
    p.add_argument("--from", dest="source", required=True, metavar="PATH|URL", help="the store to copy")
    p.add_argument("--to", dest="target", required=True, metavar="PATH|URL",
                   help="the store to copy into (created if missing)")
    p.set_defaults(func=cmd_migrate)
