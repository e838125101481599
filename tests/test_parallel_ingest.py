"""Parallel ingest on a real Dask cluster (LocalCluster of worker processes): the events,
articles and summary are exactly those of the single-process ingest, into either store.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dask.distributed import Client, LocalCluster

from benchmarks.corpus import write_corpus
from fixtures_store import assert_consistent, word_extractor
from geo.cli import main as main_for_tests
from geo.errors import ExtractionError
from geo.ingest.batch import IngestSummary, ingest_paths
from geo.models import Article, ExtractionResult
from geo.ingest.parallel import ingest_paths_parallel
from geo.extract.pipeline import Geoparser
from geo.store.gpkg import EventStore, GpkgEventStore

ROOT = Path(__file__).resolve().parents[1]


def fussy_extractor(article: Article) -> ExtractionResult:
    """word_extractor, but failing for articles that mention a drone (on the workers too)."""
    if "drone" in article.text:
        raise ExtractionError("drones confuse this extractor")
    return word_extractor(article)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """Two worker processes, as on the CI machine's two cores."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        with Client(cluster) as c:
            yield c


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """80 real-text articles (UCDP headlines, seed sentences) in JSONL batches, the seed
    article with its manifest, and inputs the ingest must report rather than store."""
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(folder / "batches", 80, seed=3, per_file=30)
    (folder / "seeds").mkdir()
    for name in ("manifest.csv", "syria-rebels-isil-2014-01-05.txt"):
        (folder / "seeds" / name).write_bytes((ROOT / "seeds" / name).read_bytes())
    (folder / "bad").mkdir()
    (folder / "bad" / "empty.txt").write_text("   \n")
    (folder / "bad" / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "bad" / "rows.csv").write_text('id,text,published\nr1,Shelling on Idlib,2018-01-02\nr2,,2018-01-03\n'
                                             'r3,A drone strike hit Idlib,not a date\n')
    (folder / "bad" / "notes.pdf").write_bytes(b"%PDF-1.4")
    return folder


def _rows(s: EventStore) -> list[tuple]:
    frame = s.query().drop(columns="geometry")
    return sorted(frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None))


def _articles(s: EventStore) -> list[Article]:
    # ingested_at differs between two runs; everything else must not.
    return [a for a in (s.get_article(x.article_id) for x in s.articles()) if a is not None]


def _same_articles(a: EventStore, b: EventStore) -> None:
    left, right = _articles(a), _articles(b)
    assert [(x.article_id, x.text, x.title, x.source, x.url, x.published) for x in left] == [
        (x.article_id, x.text, x.title, x.source, x.url, x.published) for x in right
    ]


def _same_summary(a: IngestSummary, b: IngestSummary) -> None:
    assert str(a) == str(b)
    assert a == b


@pytest.fixture(scope="module")
def single(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[GpkgEventStore, IngestSummary]:
    """The reference: the plain single-process ingest with the real pipeline."""
    s = GpkgEventStore(tmp_path_factory.mktemp("single") / "events.gpkg")
    summary = ingest_paths([corpus], s, Geoparser().extract, progress=False)
    assert summary.events_added > 100 and summary.problems
    return s, summary


def test_dask_ingest_gives_exactly_the_events_of_the_single_process_ingest(
    client: Client, corpus: Path, single: tuple[GpkgEventStore, IngestSummary], store: EventStore  # noqa: F811
) -> None:
    reference, reference_summary = single
    summary = ingest_paths_parallel([corpus], store, "geo.extract.pipeline:Geoparser", client=client, progress=False,
                                    batch_size=8)
    _same_summary(summary, reference_summary)
    assert _rows(store) == _rows(reference)  # every field of every event
    _same_articles(store, reference)
    assert_consistent(store)
    # Again: nothing changed, nothing sent, nothing written.
    again = ingest_paths_parallel([corpus], store, "geo.extract.pipeline:Geoparser", client=client, progress=False)
    assert again.unchanged == reference_summary.added and again.added == 0 and again.events_added == 0


def test_an_edited_article_replaces_only_its_events(client: Client, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for i, town in enumerate(("Aleppo", "Homs", "Raqqa")):
        (folder / f"a{i}.txt").write_text(f"Clashes in {town}\nRebels shelled Idlib, 4 killed\n")
    with GpkgEventStore(tmp_path / "p.gpkg") as par, GpkgEventStore(tmp_path / "s.gpkg") as seq:
        for s in (par, seq):
            assert ingest_paths_parallel([folder], s, word_extractor, client=client, progress=False).added == 3 \
                if s is par else ingest_paths([folder], s, word_extractor, progress=False).added == 3
        (folder / "a1.txt").write_text("Protest in Daraa\n")
        p = ingest_paths_parallel([folder], par, word_extractor, client=client, progress=False)
        q = ingest_paths([folder], seq, word_extractor, progress=False)
        _same_summary(p, q)
        assert (p.replaced, p.unchanged) == (1, 2)
        assert _rows(par) == _rows(seq)


def test_a_moved_folder_is_not_stored_twice(client: Client, tmp_path: Path) -> None:
    """Article fingerprints (issue 12): the parallel ingest finds the stored copy as the plain one does."""
    folder = tmp_path / "one"
    folder.mkdir()
    for i, town in enumerate(("Aleppo", "Homs", "Raqqa")):
        (folder / f"a{i}.txt").write_text(f"Clashes in {town}\n")
    with GpkgEventStore(tmp_path / "p.gpkg") as par:
        assert ingest_paths_parallel([folder], par, word_extractor, client=client, progress=False).added == 3
        moved = folder.rename(tmp_path / "two")
        again = ingest_paths_parallel([moved], par, word_extractor, client=client, progress=False)
        assert (again.added, again.unchanged) == (0, 3) and len(par.articles()) == 3 and par.count() == 3
        assert_consistent(par)


def test_extraction_failures_are_reported_as_in_the_single_process_ingest(client: Client, corpus: Path,
                                                                           tmp_path: Path) -> None:
    # The extractor given by spec is built on the workers, once per worker process.
    with GpkgEventStore(tmp_path / "p.gpkg") as par, GpkgEventStore(tmp_path / "s.gpkg") as seq:
        p = ingest_paths_parallel([corpus], par, "test_parallel_ingest:fussy_extractor", client=client,
                                  progress=False, batch_size=5)
        q = ingest_paths([corpus], seq, fussy_extractor, progress=False)
        assert p.failed > 0
        _same_summary(p, q)
        assert _rows(par) == _rows(seq)


def test_cli_with_an_existing_scheduler(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Clashes in Manbij\nShelling on Homs, 2 killed\n")
    (folder / "b.txt").write_text("Protest in Daraa\n")
    db, ref = tmp_path / "events.gpkg", tmp_path / "ref.gpkg"
    with LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster:
        argv = ["ingest", str(folder), "--extractor", "fixtures_store:word_extractor", "-q"]
        assert main_for_tests([*argv, "--store", str(db), "--scheduler", cluster.scheduler_address]) == 0
    assert "2 articles read: 2 added" in capsys.readouterr().out
    assert main_for_tests([*argv, "--store", str(ref)]) == 0
    with GpkgEventStore(db) as a, GpkgEventStore(ref) as b:
        assert _rows(a) == _rows(b) and len(_rows(a)) == 3


@pytest.mark.parametrize(
    ("argv", "code", "stderr"),
    [
        (["--workers", "0"], 2, "positive integer"),
        (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], 2, "not allowed with"),
        (["--workers", "1", "--extractor", "no_such_module:f"], 1, "is not available"),
    ],
)
def test_cli_parallel_errors(tmp_path: Path, argv: list[str], code: int, stderr: str,
                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.txt").write_text("Clashes in Manbij\n")
    assert main_for_tests(["ingest", str(tmp_path / "a.txt"), "--store", str(tmp_path / "e.gpkg"), *argv]) == code
    assert stderr in capsys.readouterr().err
