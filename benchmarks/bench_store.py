"""Store benchmark: ingest rate, file size, filtered queries and exports at scale.

    python -m benchmarks.bench_store --events 1000000      # the reference run (a few minutes)
    python -m benchmarks.bench_store --events 20000        # a quick run

Fills a fresh GeoPackage store with synthetic events spread over real places (the
gazetteer's data/gazetteer/places.csv when present, else the 14 governorate centroids)
and ten years (2011-2020, 3% undated), through the same ``add_events`` path the dataset
imports use. Then times the dashboard's typical queries and the exports (median of
``--runs``), next to naive baselines: the same SQL with indexes disabled, and
``gpd.read_file`` of the whole layer followed by pandas filtering.

Results are printed and written as JSON to benchmarks/results/bench_store.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import logging
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.export import events_to_csv_bytes, events_to_gpkg_bytes, geojson_bytes
from geo.models import EVENT_TYPES, SYRIA_GOVERNORATES, Article, Event
from geo.store import EventFilter, GpkgEventStore, events_frame

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
PLACES_CSV = ROOT / "data" / "gazetteer" / "places.csv"
RESULTS = ROOT / "benchmarks" / "results" / "bench_store.json"
FIRST_DAY = dt.date(2011, 1, 1)
DAYS = (dt.date(2020, 12, 31) - FIRST_DAY).days + 1
UNDATED_SHARE = 0.03

# Approximate centroids, the fallback when the gazetteer is not built.
GOVERNORATE_CENTROIDS: dict[str, tuple[float, float]] = {
    "Aleppo": (36.2, 37.6), "Idlib": (35.8, 36.6), "Hama": (35.2, 36.9), "Homs": (34.6, 37.9),
    "Raqqa": (35.9, 38.9), "Deir ez-Zor": (35.0, 40.3), "Hasakah": (36.6, 40.9), "Latakia": (35.6, 36.0),
    "Tartus": (34.9, 36.0), "Damascus": (33.5, 36.3), "Rural Damascus": (33.5, 36.9), "Daraa": (32.8, 36.2),
    "Suwayda": (32.7, 36.7), "Quneitra": (33.1, 35.9),
}
ACTORS = (
    "Military Forces of Syria", "Syrian opposition", "Islamic State (ISIL)", "Hayat Tahrir al-Sham",
    "Syrian Democratic Forces", "YPG", "Free Syrian Army", "Jaish al-Islam", "Ahrar al-Sham", "Hezbollah",
    "Military Forces of Russia", "Military Forces of Turkey", "Coalition forces", "Civilians (Syria)",
    "Protesters (Syria)", "Unidentified Armed Group (Syria)", "National Defence Forces", "Liwa al-Quds",
    "Jabhat al-Nusra", "Faylaq al-Rahman",
)
Place = tuple[str, float, float, str]  # name, lat, lon, admin1


def load_places() -> list[Place]:
    places: list[Place] = []
    if PLACES_CSV.exists():
        with PLACES_CSV.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row.get("country_code") == "SY" and row.get("admin1") in SYRIA_GOVERNORATES:
                    places.append((row["name"], float(row["latitude"]), float(row["longitude"]), row["admin1"]))
    if not places:
        places = [(name, lat, lon, name) for name, (lat, lon) in GOVERNORATE_CENTROIDS.items()]
    return places


def synthetic_events(article_id: str, start: int, n: int, places: Sequence[Place], rng: random.Random) -> list[Event]:
    types = [(t, s) for t, subs in EVENT_TYPES.items() for s in subs]
    events = []
    for i in range(start, start + n):
        name, lat, lon, admin1 = rng.choice(places)
        event_type, sub_type = rng.choice(types)
        undated = rng.random() < UNDATED_SHARE
        events.append(
            Event(
                event_id=f"B{i:08d}",
                event_date=None if undated else FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS)),
                time_precision=None if undated else rng.choice((1, 1, 1, 2, 3)),
                event_type=event_type,
                sub_event_type=sub_type,
                actor1=rng.choice(ACTORS),
                actor2=rng.choice(ACTORS) if rng.random() < 0.7 else "",
                country="Syria",
                admin1=admin1,
                admin1_code=SYRIA_GOVERNORATES[admin1],
                location=name,
                latitude=lat + rng.uniform(-0.02, 0.02),
                longitude=lon + rng.uniform(-0.02, 0.02),
                geo_precision=rng.choice((1, 1, 2, 3)),
                fatalities=rng.choice((None, 0, 0, 1, 2, 3, 5, 10)),
                notes=f"{sub_type} in {name} involving {rng.choice(ACTORS)}.",
                article_id=article_id,
                source="synthetic",
                sentence_start=0,
                sentence_end=80,
                place_start=10,
                place_end=10 + len(name),
                place_id=f"bench:{name}",
                confidence=round(rng.random(), 2),
            )
        )
    return events


def median_time(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median wall time in seconds over ``runs`` calls, and the last result."""
    times = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def fill(store: GpkgEventStore, n_events: int, batch: int, places: Sequence[Place], seed: int,
         progress: bool) -> dict[str, float]:
    rng = random.Random(seed)
    store_seconds = 0.0
    build_seconds = 0.0
    done = 0
    started = time.perf_counter()
    while done < n_events:
        size = min(batch, n_events - done)
        article = Article(article_id=f"bench-{done // batch:05d}", text=f"synthetic batch {done}", title="benchmark")
        t0 = time.perf_counter()
        events = synthetic_events(article.article_id, done, size, places, rng)
        t1 = time.perf_counter()
        store.add_events(events, article=article)
        t2 = time.perf_counter()
        build_seconds += t1 - t0
        store_seconds += t2 - t1
        done += size
        if progress and sys.stderr.isatty():
            print(f"\r  filled {done:,}/{n_events:,} events", end="", file=sys.stderr, flush=True)
    if progress and sys.stderr.isatty():
        print(file=sys.stderr)
    total = time.perf_counter() - started
    t0 = time.perf_counter()
    store.optimize(force=True)
    analyze = time.perf_counter() - t0
    return {
        "store_seconds": store_seconds,
        "build_seconds": build_seconds,
        "total_seconds": total,
        "events_per_second_store": n_events / store_seconds,
        "events_per_second_end_to_end": n_events / total,
        "analyze_seconds": analyze,
    }


def naive_filter(gdf: pd.DataFrame, flt: EventFilter) -> pd.DataFrame:
    """The filter in pandas over a whole layer read with gpd.read_file (the baseline)."""
    mask = pd.Series(True, index=gdf.index)
    dates = gdf["event_date"]
    if flt.date_from is not None or flt.date_to is not None:
        in_range = pd.Series(True, index=gdf.index)
        if flt.date_from is not None:
            in_range &= dates >= pd.Timestamp(flt.date_from)
        if flt.date_to is not None:
            in_range &= dates <= pd.Timestamp(flt.date_to)
        mask &= in_range | (dates.isna() if flt.include_undated else False)
    if flt.admin1:
        mask &= gdf["admin1"].isin(flt.admin1)
    if flt.event_types:
        mask &= gdf["event_type"].isin(flt.event_types)
    return gdf[mask]


def run(args: argparse.Namespace) -> dict[str, Any]:
    places = load_places()
    folder = Path(args.store).parent if args.store else Path(tempfile.mkdtemp(prefix="bench-store-"))
    path = Path(args.store) if args.store else folder / "bench.gpkg"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    print(f"store benchmark: {args.events:,} events over {len(places)} places "
          f"({'gazetteer' if PLACES_CSV.exists() else 'governorate centroids'}), {path}", file=sys.stderr)
    results: dict[str, Any] = {"events": args.events, "places": len(places), "runs": args.runs}

    store = GpkgEventStore(path)
    results["ingest"] = fill(store, args.events, args.batch, places, args.seed, not args.quiet)
    store.close()  # checkpoints the WAL into the file, so the size is the file's
    results["size_mb"] = path.stat().st_size / 1024 / 1024
    store = GpkgEventStore(path)

    year = (dt.date(2016, 1, 1), dt.date(2016, 12, 31))
    typical = EventFilter(admin1=("Aleppo",), event_types=("Battles",), date_from=year[0], date_to=year[1])
    queries: dict[str, EventFilter] = {
        "one governorate, one type, one year (+undated)": typical,
        "one governorate, one type, one year (dated only)": EventFilter(
            admin1=("Aleppo",), event_types=("Battles",), date_from=year[0], date_to=year[1], include_undated=False),
        "two governorates, one month": EventFilter(
            admin1=("Idlib", "Hama"), date_from=dt.date(2019, 5, 1), date_to=dt.date(2019, 5, 31)),
        "one governorate, all years": EventFilter(admin1=("Raqqa",)),
        "one year, everything": EventFilter(date_from=year[0], date_to=year[1]),
        "actor + one year": EventFilter(actors=("Hezbollah",), date_from=year[0], date_to=year[1]),
        "text + one year": EventFilter(text="Manbij", date_from=year[0], date_to=year[1]),
        "bbox (Aleppo city) + one year": EventFilter(bbox=(36.1, 37.0, 36.3, 37.3), date_from=year[0], date_to=year[1]),
        "latest 1000 (table)": EventFilter(limit=1000),
    }
    results["queries"] = {}
    frames: dict[str, gpd.GeoDataFrame] = {}
    for name, flt in queries.items():
        seconds, gdf = median_time(lambda flt=flt: store.query(flt), args.runs)
        count_seconds, _ = median_time(lambda flt=flt: store.count(flt), args.runs)
        frames[name] = gdf
        results["queries"][name] = {"rows": len(gdf), "query_ms": seconds * 1000, "count_ms": count_seconds * 1000}

    aggregates: dict[str, Callable[[], Any]] = {
        "summary, no filter": lambda: store.summary(),
        "summary, one year": lambda: store.summary(EventFilter(date_from=year[0], date_to=year[1])),
        "summary, typical filter": lambda: store.summary(typical),
        "point_counts (map markers), no filter": lambda: store.point_counts(),
        "point_counts, one year": lambda: store.point_counts(EventFilter(date_from=year[0], date_to=year[1])),
        "day_type_counts (timeline), no filter": lambda: store.day_type_counts(),
        "day_type_counts, typical filter": lambda: store.day_type_counts(typical),
        "count, no filter": lambda: store.count(),
        "date_span": store.date_span,
        "actors": store.actors,
    }
    results["aggregates_ms"] = {name: median_time(fn, args.runs)[0] * 1000 for name, fn in aggregates.items()}

    results["exports_ms"] = {}
    for label, name in (("typical", "one governorate, one type, one year (+undated)"), ("one year", "one year, everything")):
        gdf = frames[name]
        for fmt, fn in (("geojson", geojson_bytes), ("csv", events_to_csv_bytes), ("gpkg", events_to_gpkg_bytes)):
            seconds, _ = median_time(lambda fn=fn, gdf=gdf: fn(gdf), args.runs)
            results["exports_ms"][f"{fmt}, {label} ({len(gdf):,} rows)"] = seconds * 1000

    # Baselines for the typical query.
    indexed_ms = results["queries"]["one governorate, one type, one year (+undated)"]["query_ms"]
    no_index_s, rows = median_time(lambda: events_frame(store.query_rows(typical, use_indexes=False)), args.runs)
    assert len(rows) == len(frames["one governorate, one type, one year (+undated)"])
    baselines: dict[str, Any] = {
        "same SQL without indexes": {"ms": no_index_s * 1000, "ratio": no_index_s * 1000 / indexed_ms},
    }
    if not args.skip_read_file:
        read_s, naive = median_time(
            lambda: naive_filter(gpd.read_file(path, layer="events"), typical), args.baseline_runs)
        assert len(naive) == len(rows), (len(naive), len(rows))
        baselines["gpd.read_file + pandas filter"] = {"ms": read_s * 1000, "ratio": read_s * 1000 / indexed_ms}
    results["baselines"] = baselines
    store.close()
    if not args.keep and not args.store:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        folder.rmdir()
    return results


def report(results: dict[str, Any]) -> str:
    ing = results["ingest"]
    lines = [
        f"events: {results['events']:,} over {results['places']} places; medians of {results['runs']} runs",
        f"ingest: {ing['events_per_second_store']:,.0f} events/s into the store "
        f"({ing['store_seconds']:.1f} s), {ing['events_per_second_end_to_end']:,.0f} events/s end to end "
        f"incl. building Event objects; ANALYZE {ing['analyze_seconds'] * 1000:.0f} ms",
        f"store size: {results['size_mb']:.1f} MB",
        "queries (GeoDataFrame / count):",
    ]
    for name, q in results["queries"].items():
        lines.append(f"  {name:52s} {q['rows']:>8,} rows  {q['query_ms']:8.1f} ms  count {q['count_ms']:7.1f} ms")
    lines.append("aggregates:")
    for name, ms in results["aggregates_ms"].items():
        lines.append(f"  {name:52s} {ms:8.1f} ms")
    lines.append("exports (bytes in memory):")
    for name, ms in results["exports_ms"].items():
        lines.append(f"  {name:52s} {ms:8.1f} ms")
    lines.append("baselines for the typical query (ratio = baseline / indexed query):")
    for name, b in results["baselines"].items():
        lines.append(f"  {name:52s} {b['ms']:8.1f} ms  x{b['ratio']:.1f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_store", description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events to generate (default 1,000,000)")
    parser.add_argument("--batch", type=int, default=10_000, help="events per article/transaction")
    parser.add_argument("--runs", type=int, default=5, help="runs per timing (median)")
    parser.add_argument("--baseline-runs", type=int, default=5, help="runs of the gpd.read_file baseline")
    parser.add_argument("--skip-read-file", action="store_true", help="skip the gpd.read_file baseline")
    parser.add_argument("--store", help="keep the store at this path (default: a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary store")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", default=str(RESULTS), help=f"results file (default {RESULTS})")
    parser.add_argument("--quiet", action="store_true")
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        log.debug("ignoring arguments for other benchmarks: %s", unknown)
    results = run(args)
    print(report(results))
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2))
    print(f"results written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
