"""Running a batch: every input read (:mod:`geo.ingest.sources`, :mod:`geo.ingest.datasets`),
each article extracted and written in its own transaction, and a summary in which every
input and every row is accounted for.

Each article ends as exactly one of: added, unchanged (same text, date and metadata as stored),
replaced (its text or date changed: events extracted again), updated (only its title, source or
url changed), duplicate (the same article met earlier in this batch, under another path or row:
not stored twice) or failed (with its reason). Inputs that give no article are skipped (bad
input: empty, binary, unsupported) or failed (unreadable); rows that give no article are counted
as rows skipped (no text) or rows failed (malformed, with line numbers). Two different articles
claiming one id in a batch (the same url with two texts) are never written over each other: the
second fails with its reason. Bad input never stops a batch, and nothing already stored is
touched by an input that fails.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from geo.errors import BadInputError, ExtractionError, GeoError, StoreError
from geo.ingest.datasets import (
    DATASET_FORMATS,
    DatasetFormat,
    DatasetRows,
    dataset_article,
    file_fingerprint,
)
from geo.ingest.rows import Problem, printable
from geo.ingest.sources import (
    DEFAULT_MAX_BYTES,
    ManifestCache,
    ReadResult,
    SourceFile,
    discover,
    read_articles,
)
from geo.models import Article, ExtractionResult, stable_id
from geo.store import EventStore, IngestOutcome

log = logging.getLogger(__name__)

Extractor = Callable[[Article], ExtractionResult]
InputFormat = Literal["text", "acled", "ucdp"]
INPUT_FORMATS: tuple[str, ...] = ("text", "acled", "ucdp")


# ---------------------------------------------------------------------------------------
# The summary
# ---------------------------------------------------------------------------------------


@dataclass
class IngestSummary:
    """Counts over a batch and every problem, each naming its input.

    ``inputs`` = ``inputs_read`` + ``skipped`` + ``inputs_failed``; ``articles_read`` = added +
    unchanged + replaced + updated + duplicates + failed."""

    inputs: int = 0
    inputs_read: int = 0
    articles_read: int = 0
    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    updated: int = 0
    duplicates: int = 0
    skipped: int = 0
    failed: int = 0
    inputs_failed: int = 0
    events_added: int = 0
    rows_skipped: int = 0
    rows_failed: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every input and row was ingested (warnings and duplicates allowed)."""
        return not (self.skipped or self.failed or self.inputs_failed or self.rows_failed)

    def lines(self) -> list[str]:
        """The summary for a terminal: names and messages escaped (a file name cannot forge a line)."""
        head = (
            f"{self.inputs} inputs, {self.articles_read} articles read: {self.added} added, "
            f"{self.unchanged} unchanged, {self.replaced} replaced, {self.updated} updated, "
            f"{self.duplicates} duplicates, {self.failed} failed; {self.events_added} events added; "
            f"{self.skipped} inputs skipped"
        )
        if self.inputs_failed:
            head += f", {self.inputs_failed} inputs failed"
        if self.rows_skipped or self.rows_failed:
            head += f"; rows: {self.rows_skipped} skipped, {self.rows_failed} failed"
        return [printable(head)] + [printable(f"  {p.severity}: {p}") for p in self.problems]

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def add_problem(self, problem: Problem) -> None:
        self.problems.append(problem)

    def count_read(self, read: ReadResult) -> None:
        """One input read: its row counts and problems."""
        self.inputs_read += 1
        self.rows_skipped += read.rows_skipped
        self.rows_failed += read.rows_failed
        self.problems.extend(read.problems)

    def count_unread(self, error: BadInputError, where: str) -> None:
        """One input that gave nothing (bad input)."""
        self.skipped += 1
        self.problems.append(Problem.from_error(error, where))

    def count_discovery(self, problems: Sequence[Problem]) -> None:
        for problem in problems:
            self.inputs += 1
            if problem.severity == "failed":
                self.inputs_failed += 1
            else:
                self.skipped += 1
            self.problems.append(problem)


# ---------------------------------------------------------------------------------------
# One article
# ---------------------------------------------------------------------------------------


def _text_key(article: Article) -> str:
    return stable_id(article.text, article.published, length=32)


@dataclass
class BatchSeen:
    """Articles met so far in this batch: the same one twice is stored once; two different
    ones under one id are not written over each other. An article whose source gave it no id
    or url (a file, a batch row) and whose text and date were met before is the same article
    reached another way (a copy, another path); one with its own id or url is kept even when its
    text is another's (one wire story in two outlets)."""

    ids: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (where, text key)
    texts: dict[str, str] = field(default_factory=dict)  # text key -> where

    def check(self, where: str, article: Article, named: bool = True) -> Problem | None:
        """None for an article to store; else the problem (a duplicate, or an id clash).
        ``named``: the source gave the article its id or url."""
        key = _text_key(article)
        first = self.ids.get(article.article_id)
        if first is not None:
            if first[1] == key:
                return Problem(where, f"the same article as {first[0]}; stored once", "warning")
            return Problem(where, f"article id {article.article_id} (url {article.url or '-'}) is already used by "
                           f"{first[0]} in this batch for a different text; not stored (give each its own id or url)",
                           "failed")
        other = self.texts.get(key)
        if other is not None and not named:
            return Problem(where, f"the same text as {other}; stored once", "warning")
        self.ids[article.article_id] = (where, key)
        self.texts.setdefault(key, where)
        return None


def count_seen_problem(summary: IngestSummary, problem: Problem) -> None:
    summary.articles_read += 1
    if problem.severity == "failed":
        summary.failed += 1
    else:
        summary.duplicates += 1
    summary.problems.append(problem)


def _count_outcome(summary: IngestSummary, outcome: IngestOutcome, metadata_only: bool = False) -> None:
    if outcome == IngestOutcome.ADDED:
        summary.added += 1
    elif outcome == IngestOutcome.REPLACED:
        if metadata_only:
            summary.updated += 1
        else:
            summary.replaced += 1
    else:
        summary.unchanged += 1


def _metadata_only(store: EventStore, article: Article) -> bool:
    stored = store.get_article(article.article_id)
    return stored is not None and stored.text == article.text and stored.published == article.published


def store_article(store: EventStore, where: str, article: Article, extractor: Extractor,
                  summary: IngestSummary) -> None:
    """Extract and write one article (one transaction), counting its outcome; never raises for
    a failure of this one article."""
    summary.articles_read += 1
    metadata_only = False
    try:
        # Skip the extractor for an article already stored as it is: the store would discard
        # its output anyway, and extraction is the slow part.
        stored_hash = store.article_content_hash(article.article_id)
        if stored_hash == article.content_hash:
            summary.unchanged += 1
            return
        metadata_only = stored_hash is not None and _metadata_only(store, article)
        events = tuple(extractor(article).events)
        outcome = store.add_article(article, events)
    except BadInputError as exc:
        summary.failed += 1
        summary.problems.append(Problem.from_error(exc, where, "failed"))
        return
    except GeoError as exc:
        summary.failed += 1
        summary.problems.append(Problem(where, f"{type(exc).__name__}: {exc}", "failed"))
        return
    except Exception as exc:
        log.exception("%s: extraction or storage failed", printable(where))
        summary.failed += 1
        summary.problems.append(Problem(where, f"unexpected {type(exc).__name__}: {exc}", "failed"))
        return
    _count_outcome(summary, outcome, metadata_only)
    if outcome != IngestOutcome.UNCHANGED:
        summary.events_added += len(events)


# ---------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------


def _ingest_text_file(src: SourceFile, store: EventStore, extractor: Extractor, *, max_bytes: int | None,
                      manifests: ManifestCache, summary: IngestSummary, seen: BatchSeen) -> None:
    try:
        read = read_articles(src, max_bytes=max_bytes, manifests=manifests)
    except BadInputError as exc:
        summary.count_unread(exc, src.display)
        return
    summary.count_read(read)
    for where, article in read.articles:
        problem = seen.check(where, article, article.article_id in read.named)
        if problem is not None:
            count_seen_problem(summary, problem)
            continue
        store_article(store, where, article, extractor, summary)


def _ingest_dataset_file(src: SourceFile, store: EventStore, fmt: DatasetFormat, *, max_bytes: int | None,
                         summary: IngestSummary, bar: Any) -> None:
    try:
        digest, size, encoding = file_fingerprint(src.path, src.display, max_bytes)
    except BadInputError as exc:
        summary.count_unread(exc, src.display)
        return
    article = dataset_article(src.path, fmt, digest, size)
    rows = DatasetRows(src.path, src.display, fmt, article.article_id, encoding, progress=bar)
    summary.articles_read += 1
    try:
        outcome = store.add_events(rows, article=article)
    except BadInputError as exc:
        summary.articles_read -= 1
        summary.count_unread(exc, src.display)
        summary.rows_skipped += rows.rows_skipped
        summary.rows_failed += rows.rows_failed
        summary.problems[-1:-1] = rows.problems
        return
    except (StoreError, GeoError, OSError) as exc:
        summary.failed += 1
        summary.inputs_read += 1
        summary.problems.append(Problem(src.display, f"{type(exc).__name__}: {exc}", "failed"))
        return
    summary.inputs_read += 1
    summary.rows_skipped += rows.rows_skipped
    summary.rows_failed += rows.rows_failed
    summary.problems.extend(rows.problems)
    _count_outcome(summary, outcome)
    if outcome != IngestOutcome.UNCHANGED:
        summary.events_added += rows.events


def progress_bar(total: int, enabled: bool, unit: str) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, file=sys.stderr, disable=not enabled or not sys.stderr.isatty(),
                dynamic_ncols=True, leave=False)


def start_batch(paths: Iterable[str | os.PathLike[str]], fmt: str) -> tuple[list[SourceFile], IngestSummary]:
    """The inputs of a batch and its summary, counting the paths that give no input."""
    if fmt not in INPUT_FORMATS:
        raise ValueError(f"unknown input format {fmt!r} (one of {', '.join(INPUT_FORMATS)})")
    sources, problems = discover(paths, fmt)
    summary = IngestSummary(inputs=len(sources))
    summary.count_discovery(problems)
    return sources, summary


def ingest_paths(
    paths: Iterable[str | os.PathLike[str]],
    store: EventStore,
    extractor: Extractor | None = None,
    *,
    fmt: str = "text",
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    progress: bool = True,
) -> IngestSummary:
    """Ingest files and folders into ``store``; one transaction per article (per file for
    datasets). ``extractor`` turns an Article into events (required for ``fmt="text"``).
    Never raises for bad input: see the returned summary's counts and ``problems``."""
    if fmt == "text" and extractor is None:
        raise ValueError("an extractor is required for text input")
    sources, summary = start_batch(paths, fmt)
    manifests = ManifestCache()
    seen = BatchSeen()
    bar = progress_bar(len(sources), progress, "file")
    try:
        for src in sources:
            bar.set_description_str(printable(src.rel[-40:]), refresh=False)
            if fmt == "text":
                assert extractor is not None
                _ingest_text_file(src, store, extractor, max_bytes=max_bytes, manifests=manifests, summary=summary,
                                  seen=seen)
            else:
                _ingest_dataset_file(src, store, DATASET_FORMATS[fmt], max_bytes=max_bytes, summary=summary, bar=bar)
            bar.update(1)
    finally:
        bar.close()
    return finish_batch(summary, store, manifests, "ingest")


def finish_batch(summary: IngestSummary, store: EventStore, manifests: ManifestCache, label: str) -> IngestSummary:
    """End of a batch (plain or parallel): manifest problems into the summary, fresh planner
    statistics when events were added, one log line."""
    summary.problems.extend(manifests.problems)
    if summary.events_added:
        try:
            store.optimize()
        except GeoError as exc:  # statistics are an optimisation; the data is committed
            log.warning("could not refresh store statistics: %s", exc)
    log.info("%s: %s", label, summary.lines()[0])
    return summary


def ingest_articles(articles: Sequence[Article], store: EventStore, extractor: Extractor) -> IngestSummary:
    """Ingest Article objects built elsewhere (the dashboard's paste box and uploads)."""
    summary = IngestSummary(inputs=len(articles), inputs_read=len(articles))
    seen = BatchSeen()
    for article in articles:
        problem = seen.check(article.article_id, article)
        if problem is not None:
            count_seen_problem(summary, problem)
            continue
        store_article(store, article.article_id, article, extractor, summary)
    return summary


# ---------------------------------------------------------------------------------------
# The extractor
# ---------------------------------------------------------------------------------------

DEFAULT_EXTRACTOR = "geo.extract.pipeline:Geoparser"


def import_extractor_target(spec: str | None) -> Any:
    """What ``MODULE:NAME`` names (a function, or a class whose instances have ``extract``),
    imported but not built; default the pipeline's ``geo.extract.pipeline:Geoparser``. Cheap: building
    a Geoparser loads the gazetteer, which a Dask client or a dataset import does not need."""
    spec = spec or DEFAULT_EXTRACTOR
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise ExtractionError(f"extractor {spec!r}: expected MODULE:NAME")
    try:
        target = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ExtractionError(f"the extractor {spec} is not available: {exc}") from exc
    if not callable(target):
        raise ExtractionError(f"the extractor {spec} is not callable")
    return target


def build_extractor(spec: str | None) -> Extractor:
    """``MODULE:NAME`` -> the extraction function (a class is instantiated once: its ``extract``)."""
    target = import_extractor_target(spec)
    return target().extract if isinstance(target, type) else target
