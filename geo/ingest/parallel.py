"""Ingest with the extraction spread over a Dask cluster; the writes stay in this process.

    ingest_paths_parallel(paths, store, "geo.extract.pipeline:Geoparser", workers=2)
    ingest_paths_parallel(paths, store, scheduler="tcp://10.0.0.5:8786")

The result is exactly that of :func:`geo.ingest.batch.ingest_paths` with the same extractor: the
same articles, the same events, the same summary (counts and problems, in the same order).
The division of labour:

* this process (the client) discovers and reads the inputs, as the single-process ingest
  does, and skips articles already stored with the same content before they are sent;
* the workers extract, in batches of ``batch_size`` articles per task. Each worker builds
  the extractor once (``MODULE:NAME`` spec, cached per process in ``_WORKER_EXTRACTORS``
  and warmed on every worker before the first task) - the gazetteer is not shipped with
  each task;
* this process writes each article in its own transaction, in input order, through the
  same ``store_article`` step as the single-process ingest.

Why the writes stay here: the transaction, idempotency and summary rules are then the
single-process ingest's own code, not a second copy; the order of writes (and so which
article wins an event-id collision) is the input order, as without Dask; the workers need
no access to the store (a GeoPackage file is not shareable with other machines, and a
PostGIS URL's credentials stay on the client); and writing is a small part of the work
(about 0.3 ms per article for a GeoPackage, against 5-25 ms to extract it). Results are
consumed in submission order with a bounded window of batches in flight, so memory stays
bounded and the workers stay busy while the client writes.

An article whose extraction raises is reported as a problem and the batch goes on, as in
the plain ingest. A task that fails as a whole (a worker lost, a scheduler or worker that
cannot import this package) stops the ingest with an ExtractionError: it would fail every
other task the same way. What was written before stays; running the ingest again skips it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from geo.errors import BadInputError, ExtractionError, GeoError
from geo.ingest.batch import (
    DEFAULT_EXTRACTOR,
    BatchSeen,
    Extractor,
    IngestSummary,
    build_extractor,
    count_seen_problem,
    finish_batch,
    import_extractor_target,
    ingest_paths,
    progress_bar,
    start_batch,
    store_article,
)
from geo.ingest.rows import Problem, printable
from geo.ingest.sources import (
    DEFAULT_MAX_BYTES,
    ManifestCache,
    ReadResult,
    read_articles,
)
from geo.models import Article, Event, ExtractionResult
from geo.store import EventStore

log = logging.getLogger(__name__)

DEFAULT_BATCH = 32  # articles per task: ~0.2-0.8 s of work, far above Dask's per-task overhead

ExtractorSpec = str | Extractor

# Per worker process: spec -> extractor, built on first use.
_WORKER_EXTRACTORS: dict[str, Extractor] = {}


# ---------------------------------------------------------------------------------------
# Extractors on the workers
# ---------------------------------------------------------------------------------------


def worker_extractor(spec: str) -> Extractor:
    """The extractor for ``spec`` in this process, built once."""
    extractor = _WORKER_EXTRACTORS.get(spec)
    if extractor is None:
        extractor = _WORKER_EXTRACTORS[spec] = build_extractor(spec)
        log.info("worker %d: extractor %s ready", os.getpid(), spec)
    return extractor


def _warm_up(spec: str) -> int:
    worker_extractor(spec)
    return os.getpid()


def _portable(exc: BaseException) -> BaseException:
    """The exception itself if it survives pickling (to travel back to the client)."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - any unpicklable exception is replaced
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def extract_batch(extractor: ExtractorSpec, articles: Sequence[Article]) -> list[tuple[Event, ...] | BaseException]:
    """Run on a worker: the events of each article, or the exception its extraction raised."""
    fn = worker_extractor(extractor) if isinstance(extractor, str) else extractor
    out: list[tuple[Event, ...] | BaseException] = []
    for article in articles:
        try:
            out.append(tuple(fn(article).events))
        except Exception as exc:  # noqa: BLE001 - reported per article by the client
            out.append(_portable(exc))
    return out


# ---------------------------------------------------------------------------------------
# The cluster
# ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: connected to ``scheduler`` (``tcp://host:port``) when given,
    else to a LocalCluster of ``workers`` single-threaded processes (default: one per core),
    closed on exit."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise GeoError("parallel ingest needs dask: pip install 'dask[distributed]'") from exc
    if scheduler:
        try:
            client = Client(scheduler, timeout=30)
        except (OSError, TimeoutError) as exc:
            raise GeoError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        try:
            yield client
        finally:
            client.close()
        return
    n = workers or os.cpu_count() or 1
    if n < 1:
        raise ValueError("workers must be at least 1")
    if not logging.getLogger().isEnabledFor(logging.INFO):
        # The scheduler runs in this process and logs every worker's arrival at INFO.
        logging.getLogger("distributed").setLevel(logging.WARNING)
    cluster = LocalCluster(
        n_workers=n,
        threads_per_worker=1,  # extraction is pure Python: one process per core, no GIL fight
        processes=True,
        dashboard_address=":0",  # no fixed port: several clusters may run on one machine
        silence_logs=logging.WARNING,
    )
    try:
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
    finally:
        cluster.close()


# ---------------------------------------------------------------------------------------
# The ingest
# ---------------------------------------------------------------------------------------


@dataclass
class _Batch:
    articles: list[Article] = field(default_factory=list)
    future: Any = None
    results: list[tuple[Event, ...] | BaseException] | None = None
    open_steps: int = 0

    def result(self, index: int) -> tuple[Event, ...] | BaseException:
        if self.results is None:
            try:
                self.results = self.future.result()
            except Exception as exc:
                first = (str(exc).strip().splitlines() or [""])[0]
                raise ExtractionError(
                    f"an extraction task failed on the Dask cluster ({type(exc).__name__}: {first}); "
                    "the scheduler and the workers need this package importable (same environment, "
                    "project on PYTHONPATH). Articles written so far are kept: run the ingest again to go on"
                ) from exc
            self.future = None  # release it on the cluster
        assert self.results is not None
        return self.results[index]


@dataclass
class _ReadStep:
    """An input read (``read``), or one that gave nothing (``error``), or an article not sent
    because it was met before in this batch (``seen``): counted in input order."""

    display: str
    read: ReadResult | None = None
    error: BadInputError | None = None
    seen: Problem | None = None


@dataclass
class _ArticleStep:
    where: str
    article: Article
    batch: _Batch | None  # None: already stored with this content, not sent
    index: int = 0


class _Replay:
    """The extractor handed to ``_store_article`` for one article: the worker's answer."""

    def __init__(self, outcome: tuple[Event, ...] | BaseException | None, fallback: Callable[[], Extractor]) -> None:
        self._outcome = outcome
        self._fallback = fallback

    def __call__(self, article: Article) -> ExtractionResult:
        if self._outcome is None:
            # Not sent because it was stored with this content, but the store changed since:
            # extract here, as the plain ingest would.
            return self._fallback()(article)
        if isinstance(self._outcome, BaseException):
            # A fresh traceback each time it is raised here (it came from another process).
            raise self._outcome.with_traceback(None)
        return ExtractionResult(article.article_id, self._outcome)


class _ParallelIngest:
    def __init__(self, client: Any, store: EventStore, extractor: ExtractorSpec, *, batch_size: int,
                 window: int | None, summary: IngestSummary) -> None:
        self.client = client
        self.store = store
        self.summary = summary
        self.batch_size = max(1, batch_size)
        self._spec = extractor
        self._local: Extractor | None = None
        if isinstance(extractor, str):
            try:
                pids = client.run(_warm_up, extractor)
            except Exception as exc:
                raise ExtractionError(f"the workers cannot build the extractor {extractor}: {exc}") from exc
            log.info("extractor %s ready on %d workers", extractor, len(pids))
            self._remote: Any = extractor
        else:
            # A callable is shipped once to every worker, not with each task.
            self._remote = client.scatter(extractor, broadcast=True, hash=False)
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        self.window = window or 2 * n_workers + 1
        self.steps: deque[_ReadStep | _ArticleStep] = deque()
        self.open_batches: deque[_Batch] = deque()
        self.current = _Batch()
        self.seen = BatchSeen()

    def _local_extractor(self) -> Extractor:
        if self._local is None:
            self._local = build_extractor(self._spec) if isinstance(self._spec, str) else self._spec
        return self._local

    # -- producing ---------------------------------------------------------------------

    def add_read(self, step: _ReadStep) -> None:
        self.steps.append(step)
        self.drain_ready()

    def add_article(self, where: str, article: Article, named: bool = True) -> None:
        problem = self.seen.check(where, article, named)
        if problem is not None:
            self.add_read(_ReadStep(where, seen=problem))
            return
        if self.store.article_content_hash(article.article_id) == article.content_hash:
            self.steps.append(_ArticleStep(where, article, None))
            self.drain_ready()
            return
        batch = self.current
        self.steps.append(_ArticleStep(where, article, batch, len(batch.articles)))
        batch.articles.append(article)
        batch.open_steps += 1
        if len(batch.articles) >= self.batch_size:
            self.submit()
        while len(self.open_batches) > self.window:
            self.drain_one()
        self.drain_ready()

    def submit(self) -> None:
        batch = self.current
        if not batch.articles:
            return
        batch.future = self.client.submit(extract_batch, self._remote, list(batch.articles), pure=False)
        self.open_batches.append(batch)
        self.current = _Batch()

    # -- consuming (in input order) ----------------------------------------------------

    def _ready(self, step: _ReadStep | _ArticleStep) -> bool:
        if isinstance(step, _ReadStep) or step.batch is None or step.batch.results is not None:
            return True
        return step.batch.future is not None and step.batch.future.done()

    def drain_ready(self) -> None:
        """Write whatever is ready without waiting: the client writes while the workers
        extract, and steps that need no extraction (unchanged articles) never pile up."""
        while self.steps and self._ready(self.steps[0]):
            self.drain_one()

    def drain_one(self) -> None:
        step = self.steps.popleft()
        summary = self.summary
        if isinstance(step, _ReadStep):
            if step.error is not None:
                summary.count_unread(step.error, step.display)
            elif step.seen is not None:
                count_seen_problem(summary, step.seen)
            elif step.read is not None:
                summary.count_read(step.read)
            return
        outcome = step.batch.result(step.index) if step.batch is not None else None
        store_article(self.store, step.where, step.article, _Replay(outcome, self._local_extractor), summary)
        if step.batch is not None:
            step.batch.articles[step.index] = None  # type: ignore[call-overload] - free the text
            step.batch.open_steps -= 1
            if step.batch.open_steps == 0 and self.open_batches and self.open_batches[0] is step.batch:
                self.open_batches.popleft()

    def finish(self) -> None:
        self.submit()
        while self.steps:
            self.drain_one()


def ingest_paths_parallel(
    paths: Iterable[str | os.PathLike[str]],
    store: EventStore,
    extractor: ExtractorSpec | None = None,
    *,
    client: Any = None,
    workers: int | None = None,
    scheduler: str | None = None,
    fmt: str = "text",
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    progress: bool = True,
    batch_size: int = DEFAULT_BATCH,
    window: int | None = None,
) -> IngestSummary:
    """:func:`geo.ingest.batch.ingest_paths` with the extraction on a Dask cluster: ``client``
    (a ``distributed.Client``), else ``scheduler`` (``tcp://host:port``), else a LocalCluster
    of ``workers`` processes started for this call. ``extractor`` is a ``MODULE:NAME`` spec
    (built once per worker; default the pipeline) or a picklable callable. Dataset formats
    have no extraction to spread and run as the plain ingest."""
    if fmt != "text":
        return ingest_paths(paths, store, None, fmt=fmt, max_bytes=max_bytes, progress=progress)
    spec: ExtractorSpec = extractor or DEFAULT_EXTRACTOR
    if isinstance(spec, str):
        import_extractor_target(spec)
    if client is None:
        with dask_client(workers, scheduler) as own:
            return _ingest(paths, store, spec, own, fmt, max_bytes, progress, batch_size, window)
    return _ingest(paths, store, spec, client, fmt, max_bytes, progress, batch_size, window)


def _ingest(paths: Iterable[str | os.PathLike[str]], store: EventStore, spec: ExtractorSpec, client: Any, fmt: str,
            max_bytes: int | None, progress: bool, batch_size: int, window: int | None) -> IngestSummary:
    sources, summary = start_batch(paths, fmt)
    manifests = ManifestCache()
    run = _ParallelIngest(client, store, spec, batch_size=batch_size, window=window, summary=summary)
    bar = progress_bar(len(sources), progress, "file")
    try:
        for src in sources:
            bar.set_description_str(printable(src.rel[-40:]), refresh=False)
            try:
                read = read_articles(src, max_bytes=max_bytes, manifests=manifests)
            except BadInputError as exc:
                run.add_read(_ReadStep(src.display, error=exc))
                bar.update(1)
                continue
            run.add_read(_ReadStep(src.display, read=read))
            for where, article in read.articles:
                run.add_article(where, article, article.article_id in read.named)
            bar.update(1)
        run.finish()
    finally:
        bar.close()
    return finish_batch(summary, store, manifests, "parallel ingest")
