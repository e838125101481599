"""The PostGIS event store: the same interface and behaviour as the GeoPackage store, on a
PostgreSQL server that several dashboards and ingest processes share.

Selected by giving a ``postgresql://`` URL to ``--store`` or ``$GEO_STORE``
(``geo.store.gpkg.open_store`` dispatches here). ``?schema=NAME`` in the URL puts the tables in
that schema instead of ``public`` (several stores in one database; the tests use it).

Layout (schema version 2, see ``_migrations``):

* ``schema_version``: one row per applied migration. Opening a store applies the missing
  migrations under an advisory lock, in one transaction; a store whose recorded version
  is newer than this code knows raises :class:`StoreError` and is never touched.
  Tables named ``events``/``articles`` that this program did not create are refused.
* ``events``: the Event fields with PostgreSQL types, plus ``geom geometry(Point, 4326)``
  (GiST index); ``latitude``/``longitude`` stay as plain columns so that values come back
  bit for bit. B-tree indexes for date (ordered like the queries), admin1, type, article.
* ``articles``: one row per source, its ``content_hash`` and ``event_count``.

Concurrency: every article is written in one transaction that first takes a transaction
-scoped advisory lock on the article id (``pg_advisory_xact_lock(ns, hashtext(id))``), so
two processes ingesting the same article serialise: the second sees the first's commit
and reports UNCHANGED (same content) or replaces it (new content) - never a duplicate or
a half-written article. Events are inserted with ``ON CONFLICT (event_id) DO NOTHING``
and a short row count means an event id owned by another article (an error, rolled back),
exactly as in the GeoPackage store. Readers never wait for writers (MVCC).

Query semantics match the GeoPackage store exactly: NULL dates sort last, ties and
listings in byte order (``COLLATE "C"``), and ``EventFilter.text`` is case-insensitive for
ASCII letters only (SQLite's LIKE), via ``translate``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import string
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

try:
    import psycopg
except ImportError:  # pragma: no cover - depends on the installation
    psycopg = None  # type: ignore[assignment]

from geo.errors import StoreError
from geo.models import EVENT_COLUMNS, EVENT_FIELDS, EVENT_SCHEMA, Event
from geo.store.base import ALL_EVENTS, INSERT_CHUNK, EventFilter, StoreInfo, utc_ms
from geo.store.connections import ConnectionPool, Tx
from geo.store.copy import copy_store  # noqa: F401 - its old home; import it from geo.store
from geo.store.core import SqlEventStore, like_pattern

log = logging.getLogger(__name__)

SCHEMA_VERSION = 4
DEFAULT_SCHEMA = "public"
CONNECT_TIMEOUT_S = 10
# Advisory lock keys (two-int form): one namespace for articles, one for the schema.
_ARTICLE_LOCK_NS = 0x47454F01  # "GEO" 1
_SCHEMA_LOCK_NS = 0x47454F02
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


_PG_TYPES = {"text": "text", "int": "integer", "real": "double precision", "date": "date", "bool": "boolean"}


def _pg_type(name: str) -> str:
    """The PostgreSQL column definition of an event field (from models.EVENT_SCHEMA)."""
    column = EVENT_COLUMNS[name]
    sql = _PG_TYPES[column.kind]
    if not column.nullable:
        sql += " NOT NULL"
    if column.default is not None:
        value = column.default
        literal = ("true" if value else "false") if isinstance(value, bool) else (
            repr(value) if isinstance(value, (int, float)) else "'" + str(value).replace("'", "''") + "'")
        sql += f" DEFAULT {literal}"
    return sql


def _array_type(name: str) -> str:
    return _PG_TYPES[EVENT_COLUMNS[name].kind] + "[]"


# ---------------------------------------------------------------------------------------
# Locations
# ---------------------------------------------------------------------------------------


def redact_url(url: str) -> str:
    """The URL without its password (for messages, ``location`` and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def split_schema(url: str) -> tuple[str, str | None]:
    """``(url for libpq, schema)``: ``?schema=NAME`` is ours, libpq would reject it."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = None
    kept = []
    for key, value in query:
        if key == "schema":
            schema = value
        else:
            kept.append((key, value))
    scheme = "postgresql" if parts.scheme.startswith("postgresql+") else parts.scheme
    return urlunsplit((scheme, parts.netloc, parts.path, urlencode(kept), parts.fragment)), schema


# ---------------------------------------------------------------------------------------
# Schema
# ---------------------------------------------------------------------------------------


def _migrations(s: str) -> dict[int, tuple[str, list[str]]]:
    """version -> (description, statements), for the schema ``s``."""
    columns = ",\n    ".join(f"{c.name} {_pg_type(c.name)}" for c in EVENT_SCHEMA if c.since == 1)
    added = [f"ADD COLUMN {c.name} {_pg_type(c.name)}" for c in EVENT_SCHEMA if c.since == 2]
    return {
        1: (
            "events and articles, PostGIS point geometry, indexes",
            [
                f"""CREATE TABLE {s}.events (
    fid bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    geom geometry(Point, 4326) NOT NULL,
    {columns},
    CONSTRAINT events_event_id_key UNIQUE (event_id)
)""",
                f"CREATE INDEX events_geom_gist ON {s}.events USING gist (geom)",
                f"CREATE INDEX events_article_id ON {s}.events (article_id)",
                # Ordered as the queries sort (most recent first, undated last, ties by id):
                # a LIMIT query reads the index in order; date ranges use it too.
                f'CREATE INDEX events_event_date ON {s}.events (event_date DESC NULLS LAST, event_id COLLATE "C")',
                f"CREATE INDEX events_admin1_date ON {s}.events (admin1, event_date)",
                f"CREATE INDEX events_type_date ON {s}.events (event_type, event_date)",
                f"""CREATE TABLE {s}.articles (
    article_id text PRIMARY KEY,
    title text NOT NULL,
    source text NOT NULL,
    url text NOT NULL,
    published date,
    text text NOT NULL,
    content_hash text NOT NULL,
    ingested_at timestamptz NOT NULL,
    event_count integer NOT NULL
)""",
            ],
        ),
        2: (
            "district, sub-place, ACLED interaction, dataset row provenance, reviewed flag",
            [f"ALTER TABLE {s}.events " + ", ".join(added)],
        ),
        3: (
            "the history of analysts' edits (undo)",
            [
                f"""CREATE TABLE {s}.geo_event_history (
    change_id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    group_id bigint NOT NULL,
    changed_at timestamptz NOT NULL,
    action text NOT NULL,
    event_id text NOT NULL,
    article_id text NOT NULL,
    before_json text,
    after_json text,
    note text NOT NULL DEFAULT '',
    undone_by bigint
)""",
                f"CREATE INDEX geo_event_history_event_id ON {s}.geo_event_history (event_id)",
                f"CREATE INDEX geo_event_history_article_id ON {s}.geo_event_history (article_id)",
                f"CREATE INDEX geo_event_history_group_id ON {s}.geo_event_history (group_id)",
            ],
        ),
        4: (
            "article fingerprints (text + published): one article however its file was reached",
            [
                f"ALTER TABLE {s}.articles ADD COLUMN fingerprint text",
                # models.content_fingerprint in SQL: the first 32 hex digits of the SHA-256 of
                # text, U+001F, and the date as Python prints it ('None' when missing).
                (f"UPDATE {s}.articles SET fingerprint = left(encode(sha256(convert_to(text || chr(31) || "
                 "coalesce(to_char(published, 'YYYY-MM-DD'), 'None'), 'UTF8')), 'hex'), 32)"),
                f"CREATE INDEX articles_fingerprint ON {s}.articles (fingerprint)",
            ],
        ),
    }


# ---------------------------------------------------------------------------------------
# Rows
# ---------------------------------------------------------------------------------------


def _pyformat(sql: str) -> str:
    """Core SQL (``?`` marks) in psycopg's ``%s`` style (no core statement has a literal ? or %)."""
    return sql.replace("?", "%s")


_ORDER = 'event_date DESC NULLS LAST, event_id COLLATE "C"'


# ---------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------


class PostgisEventStore(SqlEventStore):
    """``EventStore`` on PostgreSQL + PostGIS. Thread-safe (a small connection pool) and
    safe to share between processes and machines (transactions and advisory locks)."""

    collate_c = ' COLLATE "C"'
    true_sql = "TRUE"

    def __init__(self, url: str, *, schema: str | None = None, create: bool = True, max_idle: int = 4) -> None:
        if psycopg is None:  # pragma: no cover - depends on the installation
            raise StoreError("the PostGIS store needs psycopg: pip install 'psycopg[binary]'")
        conninfo, url_schema = split_schema(url)
        self.schema = (schema or url_schema or DEFAULT_SCHEMA).lower()
        if not _IDENT.match(self.schema):
            raise StoreError(f"schema name {self.schema!r}: use lower-case letters, digits and _")
        self._conninfo = conninfo
        self._password = urlsplit(conninfo).password
        shown = redact_url(conninfo)
        if self.schema != DEFAULT_SCHEMA:
            shown += ("&" if "?" in shown else "?") + f"schema={self.schema}"
        self.location = shown
        self._pool = ConnectionPool(self.location, max_idle)
        self._t_events = f"{self.schema}.events"
        self._t_articles = f"{self.schema}.articles"
        self._t_version = f"{self.schema}.schema_version"
        self._t_history = f"{self.schema}.geo_event_history"
        self._create = create
        with self._connection() as conn:
            self._init_schema(conn)

    # -- connections -------------------------------------------------------------------

    def _error(self, action: str, exc: Exception) -> StoreError:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if self._password:
            message = message.replace(self._password, "***")
        return StoreError(f"{self.location}: cannot {action}: {message}")

    def _connect(self) -> Any:
        try:
            conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                                   application_name="geo")
            conn.execute("SET TIME ZONE 'UTC'")
        except psycopg.Error as exc:
            raise self._error("connect to the server", exc) from exc
        return conn

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Any]:
        conn = self._pool.take()
        if conn is None or conn.closed or conn.broken:
            conn = self._connect()
        try:
            yield conn
        finally:
            keep = False
            if not conn.closed and not conn.broken:
                if conn.info.transaction_status != 0:  # not idle: never hand on an open transaction
                    with contextlib.suppress(Exception):
                        conn.rollback()
                keep = conn.info.transaction_status == 0 and self._pool.give(conn)
            if not keep:
                conn.close()

    def _fetch(self, sql: str, params: Sequence[Any] = (), action: str = "read events") -> list[tuple[Any, ...]]:
        return self._read(_pyformat(sql), params, action)

    def _read(self, sql: str, params: Sequence[Any] = (), action: str = "read events") -> list[tuple[Any, ...]]:
        """A read in psycopg's own ``%s`` style (this module's SQL)."""
        with self._connection() as conn:
            try:
                return conn.execute(sql, params).fetchall()
            except psycopg.Error as exc:
                raise self._error(action, exc) from exc

    def close(self) -> None:
        self._pool.close()

    def __repr__(self) -> str:
        return f"PostgisEventStore({self.location!r})"

    # -- schema ------------------------------------------------------------------------

    def _recorded_version(self, conn: Any) -> int | None:
        exists = conn.execute("SELECT to_regclass(%s)", (self._t_version,)).fetchone()[0]
        if exists is None:
            return None
        return conn.execute(f"SELECT coalesce(max(version), 0) FROM {self._t_version}").fetchone()[0]

    def schema_version(self) -> int:
        """The version recorded in the database."""
        with self._connection() as conn:
            try:
                return int(self._recorded_version(conn) or 0)
            except psycopg.Error as exc:
                raise self._error("read the schema version", exc) from exc

    def _check_version(self, version: int | None) -> bool:
        """True when up to date; raises when the database is newer than this code."""
        if version is not None and version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.location}: the store's schema is version {version}, newer than this program "
                f"knows ({SCHEMA_VERSION}); upgrade the program, the store is left untouched"
            )
        return version == SCHEMA_VERSION

    def _init_schema(self, conn: Any) -> None:
        try:
            # Up to date: opening only reads (no lock, nothing written).
            recorded = self._recorded_version(conn)
            if self._check_version(recorded):
                return
            if recorded is None and not self._create:
                raise StoreError(f"no store at {self.location} (ingest something first, or pass --store URL)")
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s, 0)", (_SCHEMA_LOCK_NS,))
                self._ensure_postgis(conn)
                conn.execute(f"CREATE SCHEMA IF NOT EXISTS {self.schema}")
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {self._t_version} ("
                    "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), "
                    "description text NOT NULL DEFAULT '')"
                )
                version = int(self._recorded_version(conn) or 0)  # again, under the lock
                if self._check_version(version):
                    return
                if version == 0:
                    foreign = [t for t in (self._t_events, self._t_articles)
                               if conn.execute("SELECT to_regclass(%s)", (t,)).fetchone()[0] is not None]
                    if foreign:
                        raise StoreError(
                            f"{self.location}: table {foreign[0]} exists but was not created by this program "
                            "(no schema_version); refusing to modify it (use ?schema=NAME for another schema)"
                        )
                for number, (description, statements) in sorted(_migrations(self.schema).items()):
                    if number <= version:
                        continue
                    for statement in statements:
                        conn.execute(statement)
                    conn.execute(
                        f"INSERT INTO {self._t_version} (version, description) VALUES (%s, %s)",
                        (number, description),
                    )
                    log.info("%s: schema migrated to version %d (%s)", self.location, number, description)
        except psycopg.Error as exc:
            raise self._error("create or migrate the store's tables", exc) from exc

    def _ensure_postgis(self, conn: Any) -> None:
        if conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone():
            return
        try:
            with conn.transaction():  # a savepoint: a refusal leaves the outer transaction usable
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except psycopg.Error as exc:
            raise StoreError(
                f"{self.location}: the PostGIS extension is not installed in this database and could not "
                f"be created ({str(exc).strip().splitlines()[0]}); ask an administrator to run "
                "CREATE EXTENSION postgis"
            ) from exc

    # -- writes ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self, action: str) -> Iterator[Tx]:
        with self._connection() as conn:
            try:
                with conn.transaction():
                    yield Tx(conn, _pyformat)
            except psycopg.Error as exc:
                raise self._error(action, exc) from exc
            # Any other exception leaves the transaction block, which rolls back first.

    def _lock_articles(self, tx: Tx, article_ids: Iterable[str]) -> None:
        # Two processes writing one article serialise here: the second sees the first's
        # commit. Sorted, so two transactions locking several articles cannot deadlock.
        for article_id in sorted(set(article_ids)):
            tx.conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_ARTICLE_LOCK_NS, article_id))

    def _insert_rows(self, tx: Tx, events: list[Event]) -> int:
        if not events:
            return 0
        columns = [[getattr(e, name) for e in events] for name in EVENT_FIELDS]
        return int(tx.conn.execute(self._insert_sql(), columns).rowcount)

    def _date_param(self, value: dt.date | None) -> Any:
        return value

    def _ts_param(self, value: dt.datetime | None) -> Any:
        return utc_ms(value)

    def _any_of(self, column: str, values: Sequence[str], params: list[Any]) -> str:
        if len(values) == 1:
            params.append(values[0])
            return f"{column} = ?"
        params.append(list(values))
        return f"{column} = ANY(?)"

    def _text_match(self, columns: Sequence[str], text: str, params: list[Any]) -> str:
        # SQLite's LIKE: case-insensitive for ASCII letters only (ILIKE would fold more).
        upper, lower = string.ascii_uppercase, string.ascii_lowercase
        params.extend([like_pattern(text.translate(_ASCII_LOWER))] * len(columns))
        return "(" + " OR ".join(f"translate({c}, '{upper}', '{lower}') LIKE ? ESCAPE '\\'" for c in columns) + ")"

    def _bbox_terms(self, bbox: tuple[float, float, float, float], params: list[Any]) -> str:
        min_lat, min_lon, max_lat, max_lon = bbox
        # The GiST index narrows (its boxes are float4, rounded outwards); the plain
        # columns decide, inclusive like BETWEEN in the GeoPackage store.
        params.extend([min_lon, min_lat, max_lon, max_lat, min_lat, max_lat, min_lon, max_lon])
        return ("geom && ST_MakeEnvelope(?, ?, ?, ?, 4326) "
                "AND latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ?")

    def _where(self, flt: EventFilter) -> tuple[str, list[Any]]:
        """The filter as one WHERE clause, in psycopg's style."""
        where, params = self._filter_sql(flt).single(flt.include_undated)
        return _pyformat(where), params

    def _insert_sql(self) -> str:
        columns = ", ".join(EVENT_FIELDS)
        arrays = ", ".join(f"%s::{_array_type(name)}" for name in EVENT_FIELDS)
        return (
            f"INSERT INTO {self._t_events} (geom, {columns}) "
            f"SELECT ST_SetSRID(ST_MakePoint(t.longitude, t.latitude), 4326), t.* "
            f"FROM unnest({arrays}) AS t({columns}) ON CONFLICT (event_id) DO NOTHING"
        )

    def optimize(self, *, force: bool = False) -> bool:
        """ANALYZE when the events table grew or shrank by over a fifth since the planner's
        estimate (autovacuum does it too, later); True if it ran."""
        with self._connection() as conn:
            try:
                rows = conn.execute(f"SELECT count(*) FROM {self._t_events}").fetchone()[0]
                estimate = conn.execute(
                    "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", (self._t_events,)
                ).fetchone()[0]
                if not force and estimate is not None and estimate >= 0 and abs(rows - estimate) <= 0.2 * max(estimate, 1):
                    return False
                conn.execute(f"ANALYZE {self._t_events}")
                conn.execute(f"ANALYZE {self._t_articles}")
            except psycopg.Error as exc:
                raise self._error("analyse the store", exc) from exc
        log.debug("%s: statistics refreshed at %d events", self.location, rows)
        return True

    # -- reads -------------------------------------------------------------------------

    def query_rows(self, flt: EventFilter = ALL_EVENTS) -> list[tuple[Any, ...]]:
        """Matching rows as tuples in EVENT_FIELDS order, most recent first."""
        where, params = self._where(flt)
        sql = f"SELECT {', '.join(EVENT_FIELDS)} FROM {self._t_events} WHERE {where} ORDER BY {_ORDER}"
        if flt.limit is not None:
            sql += " LIMIT %s"
            params.append(flt.limit)
        return self._read(sql, params)

    def iter_event_rows(self, flt: EventFilter = ALL_EVENTS, *, batch: int = INSERT_CHUNK) -> Iterator[tuple[Any, ...]]:
        """Like query_rows, streamed through a server-side cursor (copies of large stores)."""
        where, params = self._where(flt)
        sql = f"SELECT {', '.join(EVENT_FIELDS)} FROM {self._t_events} WHERE {where} ORDER BY {_ORDER}"
        if flt.limit is not None:
            sql += " LIMIT %s"
            params.append(flt.limit)
        with self._connection() as conn:
            try:
                with conn.transaction(), conn.cursor(name="geo_rows") as cursor:
                    cursor.itersize = batch
                    cursor.execute(sql, params)
                    yield from cursor
            except psycopg.Error as exc:
                raise self._error("read events", exc) from exc

    def count(self, flt: EventFilter = ALL_EVENTS) -> int:
        where, params = self._where(flt)
        total = int(self._read(f"SELECT count(*) FROM {self._t_events} WHERE {where}", params)[0][0])
        if flt.limit is not None:
            total = min(total, flt.limit)
        return total

    def summary(self, flt: EventFilter = ALL_EVENTS) -> dict[str, Any]:
        where, params = self._where(flt)
        # One scan for every aggregate: the grouping sets are the date, admin1, type and total.
        rows = self._read(
            "SELECT GROUPING(event_date, admin1, event_type), event_date, admin1, event_type, count(*), "
            f"coalesce(sum(fatalities), 0) FROM {self._t_events} WHERE {where} "
            "GROUP BY GROUPING SETS ((event_date), (admin1), (event_type), ())",
            params,
        )
        by_date: dict[str, int] = {}
        undated = 0
        by_admin1: Counter[str] = Counter()
        by_type: Counter[str] = Counter()
        total, fatalities = 0, 0
        # GROUPING bits: event_date 4, admin1 2, event_type 1 (1 = not grouped by it).
        for bits, day, admin1, etype, n, fat in sorted(rows, key=lambda r: (r[0], r[2] or "", r[3] or "")):
            if bits == 3:
                if day is None:
                    undated = n
                else:
                    by_date[day.isoformat()] = n
            elif bits == 5:
                by_admin1[admin1] = n
            elif bits == 6:
                by_type[etype] = n
            elif bits == 7:
                total, fatalities = n, fat
        return {
            "total": int(total),
            "fatalities": int(fatalities),
            "undated": undated,
            "by_admin1": dict(by_admin1.most_common()),
            "by_event_type": dict(by_type.most_common()),
            "by_date": dict(sorted(by_date.items())),
        }

    def point_counts(self, flt: EventFilter = ALL_EVENTS) -> list[dict[str, Any]]:
        where, params = self._where(flt)
        rows = self._read(
            "SELECT avg(latitude), avg(longitude), event_type, geo_precision, admin1, location, count(*) AS n "
            f"FROM {self._t_events} WHERE {where} GROUP BY location, admin1, event_type, geo_precision "
            'ORDER BY n DESC, location COLLATE "C", admin1 COLLATE "C", event_type COLLATE "C", geo_precision',
            params,
        )
        keys = ("latitude", "longitude", "event_type", "geo_precision", "admin1", "location", "n")
        return [dict(zip(keys, (*row[:6], int(row[6])))) for row in rows]

    def info(self) -> StoreInfo:
        articles, events, undated, size = self._read(
            f"SELECT (SELECT count(*) FROM {self._t_articles}), (SELECT count(*) FROM {self._t_events}), "
            f"(SELECT count(*) FROM {self._t_events} WHERE event_date IS NULL), "
            "pg_total_relation_size(%s::regclass) + pg_total_relation_size(%s::regclass)",
            (self._t_events, self._t_articles),
        )[0]
        return StoreInfo(self.location, int(articles), int(events), int(undated), self.date_span(), int(size))
