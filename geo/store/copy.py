"""Copying a store to another (``geo migrate``), whatever the two backends."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from geo.models import EVENT_FIELDS, Event
from geo.store.base import EventFilter, EventStore, IngestOutcome

log = logging.getLogger(__name__)


@dataclass
class CopySummary:
    articles: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    events: int = 0
    orphan_events: int = 0

    def __str__(self) -> str:
        text = (
            f"{self.articles} articles copied: {self.added} added, {self.replaced} replaced, "
            f"{self.unchanged} unchanged; {self.events} events written"
        )
        if self.orphan_events:
            text += f"; {self.orphan_events} events without an article row not copied"
        return text


def _event_rows(store: EventStore, article_id: str) -> Iterator[tuple[Any, ...]]:
    flt = EventFilter(article_id=article_id)
    if hasattr(store, "iter_event_rows"):  # streamed (PostGIS: a server-side cursor)
        yield from store.iter_event_rows(flt)
    elif hasattr(store, "query_rows"):
        yield from store.query_rows(flt)  # type: ignore[attr-defined]
    else:  # any other EventStore: through the frame
        frame = store.query(flt).drop(columns="geometry")
        frame = frame.astype(object).where(frame.notna(), None)
        yield from frame[list(EVENT_FIELDS)].itertuples(index=False, name=None)


def copy_store(source: EventStore, target: EventStore, *, progress: Callable[[int, int], None] | None = None) -> CopySummary:
    """Copy every article and its events from ``source`` to ``target``, losslessly (all
    article and event fields, ``ingested_at`` included), one transaction per article in
    the target. Idempotent: articles already in the target with the same content are
    left as they are (UNCHANGED). Events without an article row (not made by ingest)
    cannot be written through the store interface; they are counted and logged."""
    summary = CopySummary()
    listing = source.articles()
    for i, stub in enumerate(listing):
        article = source.get_article(stub.article_id)
        if article is None:  # deleted since the listing
            continue
        rows = _event_rows(source, article.article_id)
        events = (Event.from_record(dict(zip(EVENT_FIELDS, row))) for row in rows)
        counter = _CountingIter(events)
        outcome = target.add_article(article, counter)
        summary.articles += 1
        if outcome == IngestOutcome.ADDED:
            summary.added += 1
        elif outcome == IngestOutcome.REPLACED:
            summary.replaced += 1
        else:
            summary.unchanged += 1
        summary.events += counter.n
        if progress is not None:
            progress(i + 1, len(listing))
    orphans = sum(stored for recorded, stored in source.article_event_counts().values() if recorded == -1)
    if orphans:
        log.warning("%s: %d events have no article row and were not copied", source.location, orphans)
        summary.orphan_events = orphans
    target.optimize()
    return summary


class _CountingIter:
    def __init__(self, items: Iterable[Event]) -> None:
        self._items = iter(items)
        self.n = 0

    def __iter__(self) -> Iterator[Event]:
        for item in self._items:
            self.n += 1
            yield item
