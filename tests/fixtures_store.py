"""Shared fixtures and helpers for the store, ingest and export tests.

Imported by the test modules (``from fixtures_store import ...``), and by the child
processes of the crash and concurrency tests, which is why the helpers are plain
module-level functions.

``word_extractor`` is the test double for the injected extraction stage: a real, tiny
extractor that makes one event per line naming a known town, with real coordinates.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from geo.models import SYRIA_GOVERNORATES, Article, Event, ExtractionResult, stable_id
from geo.store.gpkg import EventStore, GpkgEventStore

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent

# Known towns: name -> (latitude, longitude, governorate).
TOWNS: dict[str, tuple[float, float, str]] = {
    "Aleppo": (36.2021, 37.1343, "Aleppo"),
    "Manbij": (36.5281, 37.9550, "Aleppo"),
    "Atmeh": (36.3111, 36.6864, "Idlib"),
    "Idlib": (35.9306, 36.6339, "Idlib"),
    "Tabqa": (35.8376, 38.5483, "Raqqa"),
    "Raqqa": (35.9528, 39.0079, "Raqqa"),
    "Homs": (34.7324, 36.7137, "Homs"),
    "Daraa": (32.6189, 36.1021, "Daraa"),
    "Damascus": (33.5138, 36.2765, "Damascus"),
}
_KILLED = re.compile(r"(\d+)\s+(?:people\s+)?(?:were\s+)?killed", re.I)


# ---------------------------------------------------------------------------------------
# Value builders
# ---------------------------------------------------------------------------------------


def make_event(event_id: str, article_id: str = "art-1", **overrides: object) -> Event:
    """An Event with sensible defaults (a battle in Manbij on 2014-01-05)."""
    values: dict[str, object] = dict(
        event_id=event_id,
        event_date=dt.date(2014, 1, 5),
        time_precision=1,
        event_type="Battles",
        sub_event_type="Armed clash",
        actor1="Syrian opposition",
        actor2="ISIL",
        country="Syria",
        admin1="Aleppo",
        admin1_code="SY-HL",
        location="Manbij",
        latitude=36.5281,
        longitude=37.9550,
        geo_precision=1,
        fatalities=None,
        notes="Rebels seized the ISIL headquarters in Manbij.",
        article_id=article_id,
        source="test wire",
    )
    values.update(overrides)
    if values["event_date"] is None and "time_precision" not in overrides:
        values["time_precision"] = None
    admin1 = values["admin1"]
    if "admin1_code" not in overrides and isinstance(admin1, str) and admin1 in SYRIA_GOVERNORATES:
        values["admin1_code"] = SYRIA_GOVERNORATES[admin1]
    return Event(**values)  # type: ignore[arg-type]


def make_article(article_id: str = "art-1", text: str = "Fighting in Manbij.", **overrides: object) -> Article:
    values: dict[str, object] = dict(title=f"Article {article_id}", source="test wire", published=dt.date(2014, 1, 5))
    values.update(overrides)
    return Article(article_id=article_id, text=text, **values)  # type: ignore[arg-type]


def many_events(article_id: str, n: int, *, prefix: str | None = None) -> list[Event]:
    """``n`` distinct events for one article, spread over the known towns."""
    towns = list(TOWNS.items())
    out = []
    for i in range(n):
        name, (lat, lon, admin1) = towns[i % len(towns)]
        out.append(
            make_event(
                f"{prefix or article_id}-{i}",
                article_id,
                location=name,
                latitude=lat,
                longitude=lon,
                admin1=admin1,
                event_date=dt.date(2014, 1, 1) + dt.timedelta(days=i % 365),
                notes=f"event {i} in {name}",
            )
        )
    return out


# Eight events over three articles, varied in every filtered field (see test_store's table).
SAMPLE_ROWS: tuple[tuple, ...] = (
    # id, article, date, admin1, type, sub-type, actor1, actor2, town, precision, notes, fatalities
    ("e1", "A", "2014-01-05", "Aleppo", "Battles", "Armed clash", "Syrian opposition", "ISIL", "Manbij", 1,
     "Rebels seized the ISIL headquarters.", 3),
    ("e2", "A", "2014-01-06", "Aleppo", "Explosions/Remote violence", "Suicide bomb", "ISIL", "", "Aleppo", 2,
     "A car bomb left the market 100% destroyed.", 12),
    ("e3", "B", "2015-06-01", "Idlib", "Battles", "Armed clash", "Syrian opposition", "Government", "Atmeh", 1,
     "Clashes near the border.", None),
    ("e4", "B", "2015-06-02", "Raqqa", "Explosions/Remote violence", "Air/drone strike", "Coalition", "ISIL", "Tabqa", 2,
     "Air strikes on the dam road.", 0),
    ("e5", "C", "2016-03-10", "Homs", "Protests", "Peaceful protest", "Protesters", "", "Homs", 3,
     "A peaceful protest in the old city.", None),
    ("e6", "C", None, "Daraa", "Battles", "Armed clash", "Syrian opposition", "Government", "Daraa", 3,
     "Fighting at an unknown date.", 1),
    ("e7", "C", "2016-12-31", "Damascus", "Violence against civilians", "Attack", "Government", "Civilians",
     "Damascus", 1, "Shots fired at civilians.", 2),
    ("e8", "C", None, "Aleppo", "Strategic developments", "Arrests", "Government", "Activists", "Aleppo", 2,
     "Activists arrested.", None),
)


def sample_events() -> dict[str, list[Event]]:
    by_article: dict[str, list[Event]] = {}
    for eid, aid, date, admin1, etype, sub, a1, a2, town, prec, notes, fat in SAMPLE_ROWS:
        lat, lon, _ = TOWNS[town]
        by_article.setdefault(aid, []).append(
            make_event(
                eid,
                aid,
                event_date=dt.date.fromisoformat(date) if date else None,
                admin1=admin1,
                event_type=etype,
                sub_event_type=sub,
                actor1=a1,
                actor2=a2,
                location=town,
                latitude=lat,
                longitude=lon,
                geo_precision=prec,
                notes=notes,
                fatalities=fat,
            )
        )
    return by_article


def fill_sample(store: EventStore) -> dict[str, list[Event]]:
    by_article = sample_events()
    for aid, events in by_article.items():
        store.add_article(make_article(aid, f"text of {aid}"), events)
    return by_article


# ---------------------------------------------------------------------------------------
# The injected extractor
# ---------------------------------------------------------------------------------------


def word_extractor(article: Article) -> ExtractionResult:
    """One event per line that names a known town; type from a keyword, date = published."""
    events = []
    offset = 0
    for line_no, line in enumerate(article.text.split("\n")):
        start = offset
        offset += len(line) + 1
        for town, (lat, lon, admin1) in TOWNS.items():
            pos = line.find(town)
            if pos < 0:
                continue
            lower = line.lower()
            if "shell" in lower:
                etype, sub = "Explosions/Remote violence", "Shelling/artillery/missile attack"
            elif "protest" in lower:
                etype, sub = "Protests", "Peaceful protest"
            else:
                etype, sub = "Battles", "Armed clash"
            killed = _KILLED.search(line)
            events.append(
                Event(
                    event_id=stable_id(article.article_id, line_no, town),
                    event_date=article.published,
                    time_precision=1 if article.published else None,
                    event_type=etype,
                    sub_event_type=sub,
                    actor1="Syrian opposition" if "rebel" in lower else "",
                    actor2="ISIL" if "isil" in lower else "",
                    country="Syria",
                    admin1=admin1,
                    admin1_code=SYRIA_GOVERNORATES[admin1],
                    location=town,
                    latitude=lat,
                    longitude=lon,
                    geo_precision=1,
                    fatalities=int(killed[1]) if killed else None,
                    notes=line.strip(),
                    article_id=article.article_id,
                    source=article.source,
                    sentence_start=start,
                    sentence_end=start + len(line),
                    place_start=start + pos,
                    place_end=start + pos + len(town),
                    confidence=0.9,
                )
            )
            break  # one event per line
    return ExtractionResult(article_id=article.article_id, events=tuple(events))


def heavy_extractor(article: Article) -> ExtractionResult:
    """Many events per article (for the crash test): N from the text's first line."""
    n = int(article.text.split()[0])
    return ExtractionResult(article.article_id, tuple(many_events(article.article_id, n)))


def expected_heavy_count(text: str) -> int:
    return int(text.split()[0])


# ---------------------------------------------------------------------------------------
# Store fixtures and checks
# ---------------------------------------------------------------------------------------

STORE_BACKENDS = ("gpkg", "postgis")
POSTGRES_URL_ENV = "GEO_TEST_POSTGRES_URL"
_postgres: dict[str, str] = {}  # "url" once a server answered, "reason" once none could be had


def postgres_url() -> str:
    """The test server's URL: $GEO_TEST_POSTGRES_URL, else (when $CI or $GEO_START_POSTGRES
    is set) the one scripts/start_postgres.sh starts, once per session. Skips the test
    with the reason when there is none - but fails it under CI, which must run them."""
    if "url" not in _postgres and "reason" not in _postgres:
        url = os.environ.get(POSTGRES_URL_ENV, "").strip()
        if not url and (os.environ.get("CI") or os.environ.get("GEO_START_POSTGRES")):
            script = ROOT / "scripts" / "start_postgres.sh"
            proc = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=600)
            lines = proc.stdout.strip().splitlines()
            if proc.returncode == 0 and lines:
                url = lines[-1]
            else:
                _postgres["reason"] = f"scripts/start_postgres.sh failed ({proc.returncode}): {proc.stderr.strip()[-500:]}"
        if url:
            try:
                from geo.store.postgis import PostgisEventStore

                probe = PostgisEventStore(url, schema=f"t_probe_{os.getpid()}")
                probe.close()
                _postgres["url"] = url
                drop_postgis_schema(probe)
            except Exception as exc:  # noqa: BLE001 - any failure means "no server"
                _postgres["reason"] = f"no PostgreSQL/PostGIS at {url}: {exc}"
        elif "reason" not in _postgres:
            _postgres["reason"] = (f"no PostgreSQL server: set {POSTGRES_URL_ENV} (bash scripts/start_postgres.sh "
                                   "prints one) or GEO_START_POSTGRES=1 to start one")
    if "url" in _postgres:
        return _postgres["url"]
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(f"CI must run the PostGIS tests: {_postgres['reason']}")
    pytest.skip(_postgres["reason"])


def drop_postgis_schema(store: EventStore) -> None:
    import psycopg

    from geo.store.postgis import split_schema

    with psycopg.connect(split_schema(postgres_url())[0], autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {store.schema} CASCADE")  # type: ignore[attr-defined]


def make_store(backend: str, folder: Path) -> EventStore:
    if backend == "gpkg":
        return GpkgEventStore(folder / "events.gpkg")
    if backend == "postgis":
        from geo.store.postgis import PostgisEventStore

        # A schema of its own per test: an empty store, dropped afterwards.
        return PostgisEventStore(postgres_url(), schema=f"t_{os.urandom(6).hex()}")
    raise ValueError(backend)


def assert_consistent(store: EventStore, expected: dict[str, int] | None = None) -> dict[str, int]:
    """Every article has exactly the events recorded with it, and no event is orphaned.
    With ``expected`` (article_id -> events), every stored article must match it too."""
    counts = store.article_event_counts()
    for aid, (recorded, stored) in counts.items():
        assert recorded != -1, f"{stored} events of article {aid} have no article row"
        assert recorded == stored, f"article {aid}: recorded {recorded} events, {stored} stored"
        if expected is not None:
            assert aid in expected, f"unexpected article {aid}"
            assert stored == expected[aid], f"article {aid}: {stored} events, expected {expected[aid]}"
    return {aid: stored for aid, (_, stored) in counts.items()}


def ids(gdf) -> list[str]:  # type: ignore[no-untyped-def]
    return list(gdf["event_id"])


# ---------------------------------------------------------------------------------------
# Child processes
# ---------------------------------------------------------------------------------------


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(TESTS), env.get("PYTHONPATH", "")])
    return env


def start_child(code: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", code], env=child_env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def wait_for(path: Path, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"child exited {proc.returncode} early:\n{err.decode()}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"timed out waiting for {path}")
        time.sleep(0.01)


def paused_events(events: Sequence[Event], pause_after: int, marker: str, release: str | None = None,
                  timeout: float = 60.0) -> Iterable[Event]:
    """Yield events; after ``pause_after`` of them, touch ``marker`` and wait for ``release``
    (or forever-ish): the store iterates this inside its write transaction, so the parent
    knows the child is mid-transaction when the marker appears."""
    for i, event in enumerate(events):
        if i == pause_after:
            Path(marker).write_text("paused")
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not (release and Path(release).exists()):
                time.sleep(0.01)
        yield event
