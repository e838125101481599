"""Issue 12: an article without an id or url of its own (a file, a batch row) is one article
however it is reached: its content (text + published date, ``Article.fingerprint``) is part of
its identity. A folder moved or copied elsewhere, or mounted at another path, and a store written
when file ids were other (absolute paths; the relative paths of 4f4fa8d) give no second copy;
two different texts never merge, whatever their names. Both stores."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from fixtures_store import assert_consistent, make_store, word_extractor

from geo.ingest.batch import IngestSummary, ingest_paths
from geo.ingest.sources import file_article_id
from geo.models import Article, stable_id
from geo.store import EventStore, GpkgEventStore

TEXTS = {"a.txt": "Fighting in Manbij.\n", "sub/b.txt": "Shelling in Homs.\n", "sub/c.md": "Clashes in Idlib.\n"}


def ingest(paths: list[Path], store: EventStore) -> IngestSummary:
    return ingest_paths([str(p) for p in paths], store, word_extractor, progress=False)


def accounted(summary: IngestSummary) -> None:
    assert summary.inputs == summary.inputs_read + summary.skipped + summary.inputs_failed, summary
    assert summary.articles_read == (summary.added + summary.unchanged + summary.replaced + summary.updated
                                     + summary.duplicates + summary.failed), summary


def write_corpus(folder: Path, texts: dict[str, str] = TEXTS) -> Path:
    for name, text in texts.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return folder


def state(store: EventStore) -> tuple[int, int]:
    assert_consistent(store)
    return len(store.articles()), store.count()


@pytest.fixture(params=["gpkg", "postgis"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(backend: str, tmp_path: Path):
    s = make_store(backend, tmp_path)
    yield s
    s.close()
    if backend == "postgis":
        from fixtures_store import drop_postgis_schema

        drop_postgis_schema(s)


# ---------------------------------------------------------------------------------------
# The same folder through another path
# ---------------------------------------------------------------------------------------


def moved(old: Path, new: Path) -> None:
    old.rename(new)


def copied(old: Path, new: Path) -> None:
    shutil.copytree(old, new)


def linked(old: Path, new: Path) -> None:  # another mount point, as far as paths go
    new.symlink_to(old, target_is_directory=True)


@pytest.mark.parametrize("relocate", [moved, copied, linked], ids=["moved", "copied", "symlinked"])
def test_a_folder_at_another_path_adds_nothing(tmp_path: Path, store: EventStore,
                                               relocate: Callable[[Path, Path], None]) -> None:
    corpus = write_corpus(tmp_path / "one" / "corpus")
    first = ingest([corpus], store)
    assert first.added == 3 and first.ok, first
    before = state(store)
    (tmp_path / "two").mkdir()
    relocate(corpus, tmp_path / "two" / "corpus")
    again = ingest([tmp_path / "two" / "corpus"], store)
    accounted(again)
    assert (again.added, again.unchanged, again.replaced, again.failed) == (0, 3, 0, 0), again
    assert state(store) == before


def test_a_moved_file_with_a_new_manifest_title_is_updated(tmp_path: Path, store: EventStore) -> None:
    corpus = write_corpus(tmp_path / "one", {"a.txt": "Fighting in Manbij.\n"})
    (corpus / "manifest.csv").write_text("file,title\na.txt,Old title\n")
    ingest([corpus], store)
    corpus = corpus.rename(tmp_path / "two")
    (corpus / "manifest.csv").write_text("file,title\na.txt,New title\n")
    again = ingest([corpus], store)
    assert (again.added, again.updated) == (0, 1), again
    assert [a.title for a in store.articles()] == ["New title"] and state(store) == (1, 1)


# ---------------------------------------------------------------------------------------
# A store written when file ids were other
# ---------------------------------------------------------------------------------------


def downgrade(store: EventStore, backend: str, tmp_path: Path) -> EventStore:
    """The store as a version without article fingerprints left it (then opened again)."""
    store.close()
    if backend == "gpkg":
        with sqlite3.connect(tmp_path / "events.gpkg") as conn:
            conn.execute("DROP INDEX IF EXISTS idx_articles_fingerprint")
            if "fingerprint" in {row[1] for row in conn.execute("PRAGMA table_info(articles)")}:
                conn.execute("ALTER TABLE articles DROP COLUMN fingerprint")
        conn.close()
        return GpkgEventStore(tmp_path / "events.gpkg")
    import psycopg
    from fixtures_store import postgres_url

    from geo.store.postgis import PostgisEventStore, split_schema

    schema = store.schema  # type: ignore[attr-defined]
    with psycopg.connect(split_schema(postgres_url())[0], autocommit=True) as conn:
        conn.execute(f"ALTER TABLE {schema}.articles DROP COLUMN IF EXISTS fingerprint")
        conn.execute(f"DELETE FROM {schema}.schema_version WHERE version >= 4")
    return PostgisEventStore(postgres_url(), schema=schema)


OLD_IDS = {
    "absolute path elsewhere": lambda old, name: file_article_id(old / name),
    "relative path (4f4fa8d)": lambda old, name: stable_id("file", name),
}


@pytest.mark.parametrize("old_id", list(OLD_IDS.values()), ids=list(OLD_IDS))
def test_a_store_from_before_is_not_doubled(tmp_path: Path, store: EventStore, backend: str,
                                            old_id: Callable[[Path, str], str]) -> None:
    corpus = write_corpus(tmp_path / "corpus")
    for name, text in TEXTS.items():  # as the older program stored them: other ids, no fingerprint
        aid = old_id(tmp_path / "old-mount", name)
        store.add_article(Article(aid, text, title=text.strip()), word_extractor(Article(aid, text)).events)
    store = downgrade(store, backend, tmp_path)
    before = state(store)
    again = ingest([corpus], store)
    accounted(again)
    assert (again.added, again.replaced, again.failed) == (0, 0, 0), again
    assert again.unchanged + again.updated == 3
    assert state(store) == before == (3, 3)
    assert ingest([corpus], store).unchanged == 3
    store.close()


def test_migration_fingerprints_match_the_code(tmp_path: Path, store: EventStore, backend: str) -> None:
    """The backfill (SQL on PostGIS, Python on GeoPackage) computes Article.fingerprint exactly."""
    import datetime as dt

    articles = [Article("n", "Plain ascii."), Article("d", "Dated.", published=dt.date(2014, 1, 5)),
                Article("u", "Ünïcödé — حلب 🙂\nsecond line\t tab")]
    for article in articles:
        store.add_article(article, [])
    store = downgrade(store, backend, tmp_path)
    for article in articles:
        found = store.find_article_by_fingerprint(article.fingerprint)
        assert found is not None and found.article_id == article.article_id
    assert store.find_article_by_fingerprint(Article("x", "Dated.").fingerprint) is None  # the date counts
    store.close()


# ---------------------------------------------------------------------------------------
# Different texts stay apart; one text is one article
# ---------------------------------------------------------------------------------------

SAME_NAME = {"x/report.txt": "Fighting in Manbij.\n", "y/report.txt": "Shelling in Homs.\n"}
SAME_TEXT = {"x/report.txt": "Fighting in Manbij.\n", "y/copy of report.txt": "Fighting in Manbij.\n"}
TEXT_CASES = [
    # (files, ingested one run per file?, articles, events, added over the runs, duplicates + unchanged)
    (SAME_NAME, False, 2, 2, 2, 0),
    (SAME_NAME, True, 2, 2, 2, 0),
    (SAME_TEXT, False, 1, 1, 1, 1),
    (SAME_TEXT, True, 1, 1, 1, 1),
    ({"a.txt": "Fighting in Manbij.\n", "b.txt": "Fighting in Manbij!\n"}, True, 2, 2, 2, 0),
]


@pytest.mark.parametrize(("files", "separately", "articles", "events", "added", "again"), TEXT_CASES,
                         ids=["same name, one run", "same name, two runs", "same text, one run",
                              "same text, two runs", "one character apart"])
def test_texts_decide_what_is_one_article(tmp_path: Path, store: EventStore, files: dict[str, str],
                                          separately: bool, articles: int, events: int, added: int,
                                          again: int) -> None:
    write_corpus(tmp_path / "in", files)
    paths = [tmp_path / "in" / name for name in files]
    summaries = [ingest([p], store) for p in paths] if separately else [ingest(paths, store)]
    for summary in summaries:
        accounted(summary)
    assert sum(s.inputs for s in summaries) == len(files)  # every input in a summary
    assert sum(s.added for s in summaries) == added
    assert sum(s.duplicates + s.unchanged for s in summaries) == again
    assert sum(s.replaced + s.failed for s in summaries) == 0
    assert state(store) == (articles, events)
    assert {a.text for a in (store.get_article(x.article_id) for x in store.articles())} == set(files.values())


def test_a_copy_of_an_article_named_by_url_keeps_the_url(tmp_path: Path, store: EventStore) -> None:
    (tmp_path / "b.jsonl").write_text('{"url": "https://news.example/1", "title": "Wire", "text": "Fighting in Manbij."}\n')
    ingest([tmp_path / "b.jsonl"], store)
    (tmp_path / "saved.txt").write_text("Fighting in Manbij.")
    again = ingest([tmp_path / "saved.txt"], store)
    assert (again.added, again.unchanged) == (0, 1), again
    [stored] = store.articles()
    assert (stored.url, stored.title) == ("https://news.example/1", "Wire") and state(store) == (1, 1)


def test_a_named_article_is_never_merged_by_its_text(tmp_path: Path, store: EventStore) -> None:
    (tmp_path / "a.txt").write_text("Fighting in Manbij.")
    ingest([tmp_path / "a.txt"], store)
    (tmp_path / "b.jsonl").write_text('{"id": "wire-7", "text": "Fighting in Manbij."}\n')
    assert ingest([tmp_path / "b.jsonl"], store).added == 1
    assert state(store) == (2, 2)
