"""The one SQL core of both stores: writes, article bookkeeping, filters and the edit API,
written once over a few dialect hooks (GeoPackage/SQLite in ``gpkg``, PostGIS in ``postgis``).

Core SQL uses ``?`` placeholders; a dialect whose driver wants another style converts them in
:meth:`SqlEventStore._fetch` and :class:`Tx`. What differs by dialect stays in the dialect
modules: connections and pools, schema and migrations, the geometry column, the insert
statement, the read queries that exploit each planner (SQLite's index tricks, PostgreSQL's
grouping sets and GiST), and how a write transaction is serialised (SQLite's ``BEGIN
IMMEDIATE``; PostgreSQL's transaction-scoped advisory lock per article).

Every write is one transaction: an article and its events land together or not at all.
"""

from __future__ import annotations

import abc
import contextlib
import dataclasses
import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any

from geo.dates import parse_date
from geo.errors import StoreError
from geo.models import EVENT_FIELDS, Article, Event
from geo.store.base import (
    ALL_EVENTS,
    INSERT_CHUNK,
    EventFilter,
    EventStore,
    IngestOutcome,
    parse_timestamp,
)
from geo.store.connections import Tx
from geo.store.edits import EditsMixin, tx_reader
from geo.store.frames import events_frame

if TYPE_CHECKING:
    import geopandas as gpd

log = logging.getLogger(__name__)

ARTICLE_COLUMNS: tuple[str, ...] = (
    "article_id", "title", "source", "url", "published", "text", "content_hash", "ingested_at", "event_count",
)
# Written with every article (not read back: older stores gain it on open, see the dialects).
WRITTEN_ARTICLE_COLUMNS: tuple[str, ...] = (*ARTICLE_COLUMNS, "fingerprint")
EVENT_COLUMN_LIST = ", ".join(EVENT_FIELDS)


def like_pattern(text: str) -> str:
    """A LIKE pattern for a substring (ESCAPE '\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# ---------------------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------------------


@dataclass
class FilterSql:
    """A filter as SQL terms: ``common`` (AND-ed) and the date terms kept apart, because
    SQLite answers ``range OR IS NULL`` faster as two branches and PostgreSQL as one clause."""

    common: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    date_params: list[Any] = field(default_factory=list)
    # "No condition": SQLite folds a bare 1 away (count(*) then reads the smallest index
    # directly), which it does not do for 1 = 1; PostgreSQL wants a boolean.
    true: str = "1"

    def single(self, include_undated: bool) -> tuple[str, list[Any]]:
        """One WHERE clause (PostgreSQL combines the index scans of an OR)."""
        terms = list(self.common)
        if self.dates:
            dated = " AND ".join(self.dates)
            terms.append(f"(({dated}) OR event_date IS NULL)" if include_undated else dated)
        elif not include_undated:
            terms.append("event_date IS NOT NULL")
        return (" AND ".join(terms) if terms else self.true), self.params + self.date_params

    def branches(self, include_undated: bool) -> list[tuple[str, list[Any]]]:
        """WHERE clauses whose union is the filter (SQLite: a date range that keeps undated
        events becomes two branches, so the (admin1, event_date) index serves the range)."""
        def clause(extra: list[str]) -> str:
            terms = self.common + extra
            return " AND ".join(terms) if terms else self.true

        if self.dates:
            out = [(clause(self.dates), self.params + self.date_params)]
            if include_undated:
                out.append((clause(["event_date IS NULL"]), list(self.params)))
            return out
        if not include_undated:
            return [(clause(["event_date IS NOT NULL"]), list(self.params))]
        return [(clause([]), list(self.params))]


class SqlEventStore(EditsMixin, EventStore):
    """``EventStore`` written once over SQL; a dialect subclass supplies the hooks below."""

    location: str
    _t_events: str
    _t_articles: str
    _t_history: str

    # -- dialect hooks -----------------------------------------------------------------

    @abc.abstractmethod
    def _write(self, action: str) -> contextlib.AbstractContextManager[Tx]:
        """A write transaction: commits when the block ends, rolls back when it raises; driver
        errors become StoreError("cannot {action}")."""

    @abc.abstractmethod
    def _lock_articles(self, tx: Tx, article_ids: Iterable[str]) -> None:
        """Serialise writers of these articles until the transaction ends."""

    @abc.abstractmethod
    def _fetch(self, sql: str, params: Sequence[Any] = (), action: str = "read events") -> list[tuple[Any, ...]]:
        """Run a read (core SQL) on a pooled connection."""

    @abc.abstractmethod
    def _insert_rows(self, tx: Tx, events: list[Event]) -> int:
        """Insert events, ``ON CONFLICT (event_id) DO NOTHING``; the number inserted."""

    @abc.abstractmethod
    def _date_param(self, value: dt.date | None) -> Any: ...

    @abc.abstractmethod
    def _ts_param(self, value: dt.datetime | None) -> Any: ...

    @abc.abstractmethod
    def _any_of(self, column: str, values: Sequence[str], params: list[Any]) -> str:
        """``column`` equal to one of ``values`` (adds the parameters)."""

    @abc.abstractmethod
    def _text_match(self, columns: Sequence[str], text: str, params: list[Any]) -> str:
        """Case-insensitive (ASCII letters, as SQLite's LIKE) substring in any of ``columns``."""

    @abc.abstractmethod
    def _bbox_terms(self, bbox: tuple[float, float, float, float], params: list[Any]) -> str: ...

    true_sql = "1"  # the always-true WHERE clause
    collate_c = ""  # appended to ORDER BY text columns so both stores sort in byte order

    # -- filters -----------------------------------------------------------------------

    def _filter_sql(self, flt: EventFilter) -> FilterSql:
        out = FilterSql(true=self.true_sql)
        common, params = out.common, out.params
        for column, values in (("admin1", flt.admin1), ("event_type", flt.event_types),
                               ("sub_event_type", flt.sub_event_types)):
            if values:
                common.append(self._any_of(column, values, params))
        if flt.actors:
            a1 = self._any_of("actor1", flt.actors, params)
            a2 = self._any_of("actor2", flt.actors, params)
            common.append(f"({a1} OR {a2})")
        if flt.text:
            common.append(self._text_match(("notes", "location", "actor1", "actor2"), flt.text, params))
        if flt.bbox is not None:
            common.append(self._bbox_terms(flt.bbox, params))
        if flt.max_geo_precision < 3:
            common.append("geo_precision <= ?")
            params.append(flt.max_geo_precision)
        if flt.article_id is not None:
            common.append("article_id = ?")
            params.append(flt.article_id)
        if flt.date_from is not None:
            out.dates.append("event_date >= ?")
            out.date_params.append(self._date_param(flt.date_from))
        if flt.date_to is not None:
            out.dates.append("event_date <= ?")
            out.date_params.append(self._date_param(flt.date_to))
        return out

    # -- writes ------------------------------------------------------------------------

    def add_article(self, article: Article, events: Iterable[Event]) -> IngestOutcome:
        aid = article.article_id
        content_hash = article.content_hash
        with self._write(f"store article {aid}") as tx:
            self._lock_articles(tx, [aid])
            row = tx.execute(f"SELECT content_hash FROM {self._t_articles} WHERE article_id = ?", (aid,)).fetchone()
            if row is not None and row[0] == content_hash:
                return IngestOutcome.UNCHANGED
            kept: set[str] = set()
            skip: set[str] = set()
            if row is not None:
                # A re-extraction never overwrites or deletes what an analyst reviewed or deleted.
                kept = self._reviewed_ids(tx, aid)
                skip = kept | self._analyst_removed_ids(tx_reader(tx), aid)
                tx.execute(f"DELETE FROM {self._t_events} WHERE article_id = ? AND NOT reviewed", (aid,))
            inserted = self._insert_events(tx, aid, events, skip)
            self._upsert_article(tx, article, inserted + len(kept))
            # Any other exception (StoreError from a collision, an error raised by a lazy
            # events iterable, KeyboardInterrupt) rolls the transaction back and propagates.
        outcome = IngestOutcome.ADDED if row is None else IngestOutcome.REPLACED
        log.debug("article %s: %s, %d events", aid, outcome, inserted)
        return outcome

    def _reviewed_ids(self, tx: Tx, article_id: str) -> set[str]:
        rows = tx.execute(f"SELECT event_id FROM {self._t_events} WHERE article_id = ? AND reviewed",
                          (article_id,)).fetchall()
        return {r[0] for r in rows}

    def _insert_events(self, tx: Tx, aid: str, events: Iterable[Event], skip: set[str] = frozenset()) -> int:  # type: ignore[assignment]
        inserted = 0
        iterator = iter(events)
        while chunk := list(islice(iterator, INSERT_CHUNK)):
            for event in chunk:
                if event.article_id != aid:
                    raise StoreError(
                        f"event {event.event_id} names article {event.article_id!r}, "
                        f"not the article being stored ({aid!r})"
                    )
            if skip:
                chunk = [e for e in chunk if e.event_id not in skip]
            n = self._insert_rows(tx, chunk)
            if n != len(chunk):
                raise self._collision_error(tx, aid, [e.event_id for e in chunk])
            inserted += n
        return inserted

    def _collision_error(self, tx: Tx, aid: str, ids: list[str]) -> StoreError:
        # ON CONFLICT DO NOTHING skipped some rows: say which event_id and why.
        repeated = [eid for eid, n in Counter(ids).items() if n > 1]
        if repeated:
            return StoreError(f"article {aid}: event_id {repeated[0]!r} occurs more than once")
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            marks = ", ".join("?" for _ in part)
            for eid, owner in sorted(tx.execute(
                f"SELECT event_id, article_id FROM {self._t_events} WHERE event_id IN ({marks})", part
            ).fetchall()):
                if owner != aid:
                    return StoreError(f"article {aid}: event_id {eid!r} is already stored for article {owner!r}")
        return StoreError(f"article {aid}: an event_id occurs more than once")

    def _upsert_article(self, tx: Tx, article: Article, event_count: int) -> None:
        tx.execute(
            f"INSERT INTO {self._t_articles} ({', '.join(WRITTEN_ARTICLE_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in WRITTEN_ARTICLE_COLUMNS)}) ON CONFLICT (article_id) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in WRITTEN_ARTICLE_COLUMNS[1:]),
            (article.article_id, article.title, article.source, article.url, self._date_param(article.published),
             article.text, article.content_hash, self._ts_param(article.ingested_at), event_count,
             article.fingerprint),
        )

    def _shift_event_count(self, tx: Tx, article_id: str, delta: int) -> None:
        if delta:
            tx.execute(f"UPDATE {self._t_articles} SET event_count = event_count + ? WHERE article_id = ?",
                       (delta, article_id))

    def delete_article(self, article_id: str) -> int:
        with self._write(f"delete article {article_id}") as tx:
            self._lock_articles(tx, [article_id])
            deleted = tx.execute(f"DELETE FROM {self._t_events} WHERE article_id = ?", (article_id,)).rowcount
            tx.execute(f"DELETE FROM {self._t_articles} WHERE article_id = ?", (article_id,))
        return int(deleted)

    # -- reads: events -----------------------------------------------------------------

    def _event_from_row(self, row: Sequence[Any]) -> Event:
        return Event.from_record(dict(zip(EVENT_FIELDS, row)))

    @abc.abstractmethod
    def query_rows(self, flt: EventFilter = ALL_EVENTS) -> list[tuple[Any, ...]]:
        """Matching rows as tuples in EVENT_FIELDS order, most recent first (undated last, ties by id)."""

    def query(self, flt: EventFilter = ALL_EVENTS) -> gpd.GeoDataFrame:
        return events_frame(self.query_rows(flt))

    def get_event(self, event_id: str) -> Event | None:
        rows = self._fetch(f"SELECT {EVENT_COLUMN_LIST} FROM {self._t_events} WHERE event_id = ?", (event_id,))
        return self._event_from_row(rows[0]) if rows else None

    def date_span(self) -> tuple[dt.date, dt.date] | None:
        # Two single-aggregate queries: each answered from the date index directly.
        low = self._fetch(f"SELECT min(event_date) FROM {self._t_events}")[0][0]
        high = self._fetch(f"SELECT max(event_date) FROM {self._t_events}")[0][0]
        first, last = parse_date(low, what="stored event_date", bounded=False), parse_date(high, what="stored event_date", bounded=False)
        return None if first is None or last is None else (first, last)

    def query_columns(self, flt: EventFilter, columns: Sequence[str]) -> list[tuple[Any, ...]]:
        """Matching rows with only ``columns`` (names from EVENT_FIELDS), as stored, most recent
        first (undated last, ties by id), at most ``flt.limit``: what a map or table draws
        without the geometry and the columns it does not show."""
        unknown = [c for c in columns if c not in EVENT_FIELDS]
        if unknown:
            raise StoreError(f"unknown event column(s): {', '.join(unknown)}")
        cols = list(dict.fromkeys([*columns, "event_date", "event_id"]))
        parts, params = [], []
        for where, branch_params in self._filter_sql(dataclasses.replace(flt, limit=None)).branches(flt.include_undated):
            parts.append(f"SELECT {', '.join(cols)} FROM {self._t_events} WHERE {where}")
            params.extend(branch_params)
        # The order of query_rows, NULL dates last in both dialects (SQLite 3.30+ reads NULLS
        # LAST, and serves it from the (admin1, event_date) index like a bare DESC). A compound
        # SELECT is ordered by bare column names only: a collation term needs an outer query.
        order = f"event_date DESC NULLS LAST, event_id{self.collate_c}"
        union = " UNION ALL ".join(parts)
        sql = f"{union} ORDER BY {order}" if len(parts) == 1 or not self.collate_c else \
            f"SELECT * FROM ({union}) AS q ORDER BY {order}"
        if flt.limit is not None:
            sql += " LIMIT ?"
            params.append(flt.limit)
        rows = self._fetch(sql, params)
        return rows if len(cols) == len(columns) else [r[:len(columns)] for r in rows]

    def day_type_counts(self, flt: EventFilter = ALL_EVENTS) -> list[dict[str, Any]]:
        """Dated events per (day, event_type): keys event_date (ISO str), event_type, n and
        fatalities (sum of the known); by day, then type. Both time charts of the dashboard
        (events by type, fatalities) from one GROUP BY, at any size, without fetching rows."""
        dated = dataclasses.replace(flt, include_undated=False, limit=None)
        where, params = self._filter_sql(dated).single(False)
        rows = self._fetch(
            f"SELECT event_date, event_type, count(*), coalesce(sum(fatalities), 0) FROM {self._t_events} "
            f"WHERE {where} GROUP BY event_date, event_type ORDER BY event_date, event_type{self.collate_c}", params)
        return [{"event_date": d.isoformat() if isinstance(d, dt.date) else str(d), "event_type": t, "n": int(n),
                 "fatalities": int(f)} for d, t, n, f in rows]

    def actors(self) -> list[str]:
        rows = self._fetch(f"SELECT actor1 FROM {self._t_events} UNION SELECT actor2 FROM {self._t_events}")
        return sorted(r[0] for r in rows if r[0])

    # -- reads: articles ---------------------------------------------------------------

    @staticmethod
    def _article(row: Sequence[Any]) -> Article:
        aid, title, source, url, published, text, _hash, ingested_at = row[:8]
        return Article(article_id=aid, text=text or "", title=title or "", source=source or "", url=url or "",
                       published=parse_date(published, what="stored publication date", bounded=False),
                       ingested_at=parse_timestamp(ingested_at))

    def get_article(self, article_id: str) -> Article | None:
        rows = self._fetch(f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM {self._t_articles} WHERE article_id = ?",
                           (article_id,), "read articles")
        return self._article(rows[0]) if rows else None

    def articles(self) -> list[Article]:
        columns = ", ".join("'' AS text" if c == "text" else c for c in ARTICLE_COLUMNS)
        rows = self._fetch(f"SELECT {columns} FROM {self._t_articles} ORDER BY article_id{self.collate_c}",
                           (), "read articles")
        return [self._article(r) for r in rows]

    def find_article_by_fingerprint(self, fingerprint: str) -> Article | None:
        # Indexed (idx_articles_fingerprint / articles_fingerprint); the first stored wins
        # when a store written before the fingerprint holds one text under several ids.
        rows = self._fetch(
            f"SELECT {', '.join(ARTICLE_COLUMNS)} FROM {self._t_articles} WHERE fingerprint = ? "
            f"ORDER BY ingested_at, article_id{self.collate_c} LIMIT 1", (fingerprint,), "read articles")
        return self._article(rows[0]) if rows else None

    def article_content_hash(self, article_id: str) -> str | None:
        rows = self._fetch(f"SELECT content_hash FROM {self._t_articles} WHERE article_id = ?", (article_id,),
                           "read articles")
        return rows[0][0] if rows else None

    def article_event_counts(self) -> dict[str, tuple[int, int]]:
        # One statement: one snapshot for both sides, so a concurrent writer cannot make a
        # consistent store look inconsistent.
        rows = self._fetch(
            f"SELECT a.article_id, a.event_count, coalesce(e.n, 0) FROM {self._t_articles} a "
            f"LEFT JOIN (SELECT article_id, count(*) AS n FROM {self._t_events} GROUP BY article_id) e "
            "ON e.article_id = a.article_id "
            f"UNION ALL SELECT e.article_id, NULL, count(*) FROM {self._t_events} e "
            f"WHERE NOT EXISTS (SELECT 1 FROM {self._t_articles} a WHERE a.article_id = e.article_id) "
            "GROUP BY e.article_id"
        )
        return {aid: (-1 if recorded is None else int(recorded), int(stored)) for aid, recorded, stored in rows}

    def _counts(self) -> tuple[int, int, int]:
        """(articles, events, undated events)."""
        articles = self._fetch(f"SELECT count(*) FROM {self._t_articles}")[0][0]
        events = self._fetch(f"SELECT count(*) FROM {self._t_events}")[0][0]
        undated = self._fetch(f"SELECT count(*) FROM {self._t_events} WHERE event_date IS NULL")[0][0]
        return int(articles), int(events), int(undated)
