"""The event store: where extracted and imported events live, and what the dashboard queries.

The embedded default is one GeoPackage file (SQLite) written with the stdlib ``sqlite3``
module, so that this module controls the transactions while QGIS, GDAL and
``geopandas.read_file(path, layer="events")`` can still open the same file directly.

Layout of the file:

* the GeoPackage metadata tables (``gpkg_spatial_ref_sys`` with EPSG:4326,
  ``gpkg_contents``, ``gpkg_geometry_columns``) and the ``application_id`` /
  ``user_version`` PRAGMAs of GeoPackage 1.3;
* ``events``: a point feature table. ``geom`` holds GeoPackage binary points (GP header
  without envelope + little-endian WKB); ``latitude``/``longitude`` repeat the coordinates
  as plain REAL columns so that queries filter and build geometries without parsing blobs;
* ``articles``: an attribute (non-spatial) table with one row per ingested source, its
  ``content_hash`` (idempotent re-ingest) and ``event_count`` (consistency check).

Every article is written in one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``): its
events land together or not at all. The file runs in WAL mode, so readers keep reading
the last committed state while a writer works, and a killed writer leaves nothing behind
but an uncommitted WAL tail that SQLite discards on the next open.

* ``geo_event_history``: the history of analysts' edits (see ``geo.store.edits``); not
  registered in ``gpkg_contents``, so GIS tools list only the two layers above.

``GpkgEventStore`` is the GeoPackage dialect of :class:`geo.store.core.SqlEventStore`: the
connection pool, the schema, the geometry blobs and the SQLite-specific read plans.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from geo.errors import StoreError
from geo.models import EVENT_COLUMNS, EVENT_FIELDS, EVENT_SCHEMA, Event
from geo.store.base import (  # noqa: F401 - also importable from here, the module's old home
    ALL_EVENTS,
    DEFAULT_STORE_PATH,
    INSERT_CHUNK,
    EventFilter,
    EventStore,
    IngestOutcome,
    StoreInfo,
    resolve_store_location,
)
from geo.store.connections import ConnectionPool, Tx
from geo.store.core import ARTICLE_COLUMNS, SqlEventStore, like_pattern
from geo.store.gpkg_format import (  # noqa: F401 - gpkg_point & co. also importable from here
    ARTICLES_TABLE,
    EVENTS_TABLE,
    GPKG_APPLICATION_ID,
    GPKG_USER_VERSION,
    HISTORY_TABLE,
    INSERT_EVENT_SQL,
    LAT,
    LON,
    SCHEMA_INDEXES,
    SCHEMA_SQL,
    add_fingerprints,
    column_type,
    event_row,
    gpkg_point,
    parse_gpkg_point,
    record_row,
    split_sql,
    sql_literal,
    st_coord,
    st_is_empty,
    utc_timestamp,
)

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000
MMAP_BYTES = 1 << 30
CACHE_KIB = 32 * 1024

# ---------------------------------------------------------------------------------------
# SQL for filters
# ---------------------------------------------------------------------------------------


def _group_by_expression(column: str, flt: EventFilter) -> str:
    """The GROUP BY term for counts of ``column`` under ``flt``.

    Left alone, SQLite's planner groups by walking ``column``'s own index (no sort needed) and
    tests the filter on every row it meets: at 1,000,000 events, counts per type for one
    governorate took 1.5 s that way, against 0.16 s when the filter's index finds the rows and
    a temporary b-tree groups them. The unary ``+`` takes ``column``'s index out of the choice;
    it is used only when another column narrows the rows (with no filter, or a date range
    alone, walking the index is the fast plan).
    """
    narrowed_by_column = {
        "admin1": bool(flt.admin1),
        "event_type": bool(flt.event_types),
        "sub_event_type": bool(flt.sub_event_types),
    }
    other_filters = bool(
        flt.admin1 or flt.event_types or flt.sub_event_types or flt.actors or flt.text or flt.bbox
        or flt.max_geo_precision < 3 or flt.article_id
    )
    if other_filters and not narrowed_by_column.get(column, False):
        return f"+{column}"
    return column


# ---------------------------------------------------------------------------------------
# GeoPackage store
# ---------------------------------------------------------------------------------------


def _sqlite_error(action: str, exc: sqlite3.Error, location: str) -> StoreError:
    message = str(exc)
    if "file is not a database" in message:
        return StoreError(f"{location}: not a GeoPackage (not an SQLite file at all)")
    if "locked" in message or "busy" in message:
        message = f"the store is busy (another writer held it for over {BUSY_TIMEOUT_MS // 1000} s)"
    return StoreError(f"{location}: cannot {action}: {message}")


@dataclass
class _Extent:
    min_lon: float = float("inf")
    min_lat: float = float("inf")
    max_lon: float = float("-inf")
    max_lat: float = float("-inf")

    def add(self, lat: float, lon: float) -> None:
        self.min_lon = min(self.min_lon, lon)
        self.max_lon = max(self.max_lon, lon)
        self.min_lat = min(self.min_lat, lat)
        self.max_lat = max(self.max_lat, lat)

    @property
    def empty(self) -> bool:
        return self.min_lon == float("inf")


class GpkgEventStore(SqlEventStore):
    """The GeoPackage (SQLite) implementation. Thread-safe: each call borrows a connection
    from a small pool, so readers in different threads run concurrently (WAL)."""

    def __init__(self, path: str | os.PathLike[str], *, wal: bool = True, max_idle: int = 4,
                 read_only: bool | None = None) -> None:
        self.path = Path(path)
        self.location = str(self.path)
        # A store the process may not write (read-only file or folder) opens read-only by
        # itself: queries, info and exports work, writes raise StoreError.
        self.read_only = _not_writable(self.path) if read_only is None else read_only
        self._shim: list[str] = []  # read-only stores of an older schema: TEMP objects that fill the gaps
        self._t_events, self._t_articles, self._t_history = EVENTS_TABLE, ARTICLES_TABLE, HISTORY_TABLE
        self._wal = wal
        self._pool = ConnectionPool(self.location, max_idle)
        if self.path.is_dir():
            raise StoreError(f"{self.path}: is a directory, not a GeoPackage file")
        if self.read_only and not self.path.exists():
            raise StoreError(f"no store at {self.path} (a read-only store must exist)")
        try:
            if not self.read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot create its folder: {exc}") from exc
        with self._connection() as conn:
            self._init_schema(conn)

    # -- connections -------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        target: str | Path = self.path
        if self.read_only:
            # mode=ro never writes the file; in a folder where SQLite cannot create the WAL
            # index (-shm), immutable=1 reads the file as it is (nobody can be writing it).
            target = f"{self.path.resolve().as_uri()}?mode=ro"
            if _not_writable(self.path.parent) and not Path(f"{self.path}-shm").exists():
                target += "&immutable=1"
        try:
            conn = sqlite3.connect(
                target,
                uri=self.read_only,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,  # autocommit: transactions are explicit BEGIN/COMMIT
                check_same_thread=False,  # the pool hands connections across threads
            )
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # Reads through a memory map skip a copy per page (a third off large queries);
            # it only reserves address space. A bigger page cache keeps the index pages
            # hot during bulk imports.
            conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            for statement in self._shim:
                conn.execute(statement)
            if self._wal and not self.read_only:
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    log.warning("%s: WAL journal not available (got %s)", self.path, mode)
                # In WAL mode NORMAL is still crash-safe for the process (a kill loses
                # nothing committed); only a power cut may drop the last transactions.
                conn.execute("PRAGMA synchronous = NORMAL")
            # GDAL adds R-tree triggers that call these if someone edits the file in QGIS;
            # registering them keeps our own inserts working on such a file.
            for name, fn in (
                ("ST_MinX", st_coord(1)),
                ("ST_MaxX", st_coord(1)),
                ("ST_MinY", st_coord(0)),
                ("ST_MaxY", st_coord(0)),
                ("ST_IsEmpty", st_is_empty),
            ):
                conn.create_function(name, 1, fn, deterministic=True)
        except sqlite3.Error as exc:
            raise _sqlite_error("open the store", exc, self.location) from exc
        return conn

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        conn = self._pool.take() or self._connect()
        try:
            yield conn
        finally:
            if conn.in_transaction:
                conn.rollback()
            if not self._pool.give(conn):
                conn.close()

    def close(self) -> None:
        self._pool.close()

    def __repr__(self) -> str:
        return f"GpkgEventStore({self.location!r})"

    # -- schema ------------------------------------------------------------------------

    def _init_schema(self, conn: sqlite3.Connection) -> None:
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            objects = {(r[0], r[1]) for r in conn.execute("SELECT type, name FROM sqlite_master")}
            tables = {name for kind, name in objects if kind == "table"}
            indexes = {name for kind, name in objects if kind == "index"}
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.location}: not a GeoPackage/SQLite file ({exc})") from exc
        if tables and app_id != GPKG_APPLICATION_ID and "gpkg_contents" not in tables:
            raise StoreError(f"{self.location}: an SQLite file but not a GeoPackage; refusing to modify it")
        added: list[str] = []
        no_fingerprint = False
        if EVENTS_TABLE in tables:
            first = [c.name for c in EVENT_SCHEMA if c.since == 1]
            have = self._check_columns(conn, EVENTS_TABLE, ("geom", *first))
            added = [name for name in EVENT_FIELDS if name not in have]
            if ARTICLES_TABLE in tables:
                no_fingerprint = "fingerprint" not in self._check_columns(conn, ARTICLES_TABLE, ARTICLE_COLUMNS)
        if self.read_only:
            self._read_only_shim(conn, tables, added, no_fingerprint)
            return
        # Opening an up-to-date store only reads: a writer busy with a long import must not
        # hold up a reader that is just opening the file. Older stores get what is missing.
        if ({EVENTS_TABLE, ARTICLES_TABLE, HISTORY_TABLE} <= tables and SCHEMA_INDEXES <= indexes
                and app_id == GPKG_APPLICATION_ID and not added):
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(f"PRAGMA application_id = {GPKG_APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {GPKG_USER_VERSION}")
            # Columns added by later schema versions, with their defaults (a store written by
            # an older version of this program keeps its rows and gains the columns).
            for name in added:
                conn.execute(f"ALTER TABLE {EVENTS_TABLE} ADD COLUMN {name} {column_type(name)}")
            if no_fingerprint:
                add_fingerprints(conn)
            # executescript would COMMIT first; run the statements one by one instead.
            for statement in split_sql(SCHEMA_SQL):
                conn.execute(statement)
            conn.execute("COMMIT")
            # GDAL checks application_id by reading the file header itself, not through
            # SQLite: copy the new page 1 out of the WAL into the main file now.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise _sqlite_error("create the GeoPackage tables", exc, self.location) from exc
        if added:
            log.info("%s: added the event column(s) %s", self.location, ", ".join(added))
        log.info("initialised GeoPackage store %s", self.location)

    def _read_only_shim(self, conn: sqlite3.Connection, tables: set[str], added: list[str],
                        no_fingerprint: bool = False) -> None:
        """Serve a read-only store of an older schema without changing it: TEMP objects (in
        memory, per connection) stand in for the missing columns and history table."""
        if not {EVENTS_TABLE, ARTICLES_TABLE} <= tables:
            raise StoreError(f"{self.location}: not an event store (no {EVENTS_TABLE}/{ARTICLES_TABLE} tables)")
        shim = []
        if added:
            literals = {n: "NULL" if EVENT_COLUMNS[n].default is None else sql_literal(EVENT_COLUMNS[n].default)
                        for n in added}
            defaults = ", ".join(f"{literals[n]} AS {n}" for n in added)
            shim.append(f"CREATE TEMP VIEW {EVENTS_TABLE} AS SELECT *, {defaults} FROM main.{EVENTS_TABLE}")
        if no_fingerprint:
            shim.append(f"CREATE TEMP VIEW {ARTICLES_TABLE} AS SELECT *, NULL AS fingerprint FROM main.{ARTICLES_TABLE}")
        if HISTORY_TABLE not in tables:
            ddl = SCHEMA_SQL[SCHEMA_SQL.index(f"CREATE TABLE IF NOT EXISTS {HISTORY_TABLE}"):]
            shim.append(ddl[:ddl.index(";")].replace("CREATE TABLE IF NOT EXISTS", "CREATE TEMP TABLE"))
        self._shim = shim
        for statement in shim:
            conn.execute(statement)

    def _check_columns(self, conn: sqlite3.Connection, table: str, needed: Sequence[str]) -> set[str]:
        have = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
        missing = [c for c in needed if c not in have]
        if missing:
            raise StoreError(
                f"{self.location}: table {table!r} was not written by this program "
                f"(missing columns {', '.join(missing)})"
            )
        return have

    # -- writes ------------------------------------------------------------------------

    # -- dialect hooks of the SQL core -----------------------------------------------------

    @contextlib.contextmanager
    def _write(self, action: str) -> Iterator[Tx]:
        # BEGIN IMMEDIATE takes the write lock first: one writer at a time, and no deadlock
        # from two readers upgrading. Anything raised inside rolls back (see _connection).
        self._check_writable(action)
        with self._connection() as conn:
            tx = Tx(conn)
            try:
                conn.execute("BEGIN IMMEDIATE")
                changes = conn.total_changes
                yield tx
                if conn.total_changes != changes:  # an unchanged article writes nothing at all
                    extent = _Extent()
                    for lat, lon in tx.extent:
                        extent.add(lat, lon)
                    self._touch_contents(conn, extent)
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise _sqlite_error(action, exc, self.location) from exc

    def _check_writable(self, action: str) -> None:
        if self.read_only:
            raise StoreError(f"{self.location}: cannot {action}: the store is read-only (opened from a file "
                             "or folder this user cannot write)")

    def _lock_articles(self, tx: Tx, article_ids: Iterable[str]) -> None:
        """Nothing to add: BEGIN IMMEDIATE already serialises the writers of the file."""

    def _insert_rows(self, tx: Tx, events: list[Event]) -> int:
        if not events:
            return 0
        rows = [event_row(e) for e in events]
        tx.extent.extend((e.latitude, e.longitude) for e in events)
        return tx.conn.executemany(INSERT_EVENT_SQL, rows).rowcount

    def _date_param(self, value: dt.date | None) -> Any:
        return value.isoformat() if value is not None else None

    def _ts_param(self, value: dt.datetime | None) -> Any:
        return utc_timestamp(value)

    def _any_of(self, column: str, values: Sequence[str], params: list[Any]) -> str:
        params.extend(values)
        if len(values) == 1:
            return f"{column} = ?"
        return f"{column} IN ({', '.join('?' for _ in values)})"

    def _text_match(self, columns: Sequence[str], text: str, params: list[Any]) -> str:
        # LIKE is case-insensitive for ASCII; Arabic script has no case.
        params.extend([like_pattern(text)] * len(columns))
        return "(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in columns) + ")"

    def _bbox_terms(self, bbox: tuple[float, float, float, float], params: list[Any]) -> str:
        min_lat, min_lon, max_lat, max_lon = bbox
        params.extend([min_lat, max_lat, min_lon, max_lon])
        return "latitude BETWEEN ? AND ? AND longitude BETWEEN ? AND ?"

    def _touch_contents(self, conn: sqlite3.Connection, extent: _Extent) -> None:
        # GeoPackage readers use gpkg_contents' extent for "zoom to layer"; it may be larger
        # than the data (deletes do not shrink it), never smaller.
        now = utc_timestamp()
        if extent.empty:
            conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name IN (?, ?)",
                         (now, EVENTS_TABLE, ARTICLES_TABLE))
            return
        conn.execute(
            "UPDATE gpkg_contents SET last_change = ?, "
            "min_x = min(coalesce(min_x, ?), ?), min_y = min(coalesce(min_y, ?), ?), "
            "max_x = max(coalesce(max_x, ?), ?), max_y = max(coalesce(max_y, ?), ?) "
            "WHERE table_name = ?",
            (
                now,
                extent.min_lon, extent.min_lon,
                extent.min_lat, extent.min_lat,
                extent.max_lon, extent.max_lon,
                extent.max_lat, extent.max_lat,
                EVENTS_TABLE,
            ),
        )
        conn.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?", (now, ARTICLES_TABLE))

    def write_records(self, records: Iterable[Mapping[str, Any]]) -> int:
        """Bulk-insert plain event records (exports); no article bookkeeping. One transaction."""
        n = 0
        with self._write("write events") as tx:
            iterator = iter(records)
            while chunk := list(islice(iterator, INSERT_CHUNK)):
                rows = [record_row(r) for r in chunk]
                tx.extent.extend((row[1 + LAT], row[1 + LON]) for row in rows)
                tx.conn.executemany(INSERT_EVENT_SQL, rows)
                n += len(rows)
        return n

    def optimize(self, *, force: bool = False) -> bool:
        """Refresh the planner statistics (ANALYZE) when the events table has grown or
        shrunk by over a fifth since they were taken; True if it ran. A full ANALYZE
        reads only the indexes (a fraction of a second at a million events); sampled
        statistics (analysis_limit) proved too rough to rank the indexes."""
        if self.read_only:
            return False
        with self._connection() as conn:
            try:
                rows = conn.execute(f"SELECT count(*) FROM {EVENTS_TABLE}").fetchone()[0]
                try:
                    stat = conn.execute(
                        "SELECT stat FROM sqlite_stat1 WHERE tbl = ? AND idx = 'idx_events_event_date'",
                        (EVENTS_TABLE,),
                    ).fetchone()
                except sqlite3.OperationalError:  # no sqlite_stat1 yet
                    stat = None
                estimate = int(stat[0].split()[0]) if stat else None
                if not force and estimate is not None and abs(rows - estimate) <= 0.2 * max(estimate, 1):
                    return False
                conn.execute("ANALYZE")
            except sqlite3.Error as exc:
                raise _sqlite_error("analyse the store", exc, self.location) from exc
        log.debug("%s: statistics refreshed at %d events", self.location, rows)
        return True

    # -- reads -------------------------------------------------------------------------

    def _fetch(self, sql: str, params: Sequence[Any] = (), action: str = "read events") -> list[tuple[Any, ...]]:
        with self._connection() as conn:
            try:
                return conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise _sqlite_error(action, exc, self.location) from exc

    _read = _fetch

    def _select_sql(self, columns: str, flt: EventFilter, *, use_indexes: bool = True) -> tuple[str, list[Any]]:
        table = EVENTS_TABLE if use_indexes else f"{EVENTS_TABLE} NOT INDEXED"
        parts, params = [], []
        for where, branch_params in self._branches(flt):
            parts.append(f"SELECT {columns} FROM {table} WHERE {where}")
            params.extend(branch_params)
        return " UNION ALL ".join(parts), params

    def _branches(self, flt: EventFilter) -> list[tuple[str, list[Any]]]:
        return self._filter_sql(flt).branches(flt.include_undated)

    def query_rows(self, flt: EventFilter = ALL_EVENTS, *, use_indexes: bool = True) -> list[tuple[Any, ...]]:
        """Matching rows as tuples in EVENT_FIELDS order (``use_indexes=False`` for baselines)."""
        sql, params = self._select_sql(", ".join(EVENT_FIELDS), flt, use_indexes=use_indexes)
        sql += " ORDER BY event_date DESC, event_id"
        if flt.limit is not None:
            sql += " LIMIT ?"
            params.append(flt.limit)
        return self._read(sql, params)

    def count(self, flt: EventFilter = ALL_EVENTS) -> int:
        total = 0
        for where, params in self._branches(flt):
            total += self._read(f"SELECT count(*) FROM {EVENTS_TABLE} WHERE {where}", params)[0][0]
        if flt.limit is not None:
            total = min(total, flt.limit)
        return total

    def _grouped(self, column: str, flt: EventFilter) -> Counter[Any]:
        counts: Counter[Any] = Counter()
        group_by = _group_by_expression(column, flt)
        for where, params in self._branches(flt):
            for key, n in self._read(
                f"SELECT {column}, count(*) FROM {EVENTS_TABLE} WHERE {where} GROUP BY {group_by}", params
            ):
                counts[key] += n
        return counts

    def summary(self, flt: EventFilter = ALL_EVENTS) -> dict[str, Any]:
        by_date = self._grouped("event_date", flt)
        undated = by_date.pop(None, 0)
        fatalities = 0
        for where, params in self._branches(flt):
            fatalities += self._read(
                f"SELECT coalesce(sum(fatalities), 0) FROM {EVENTS_TABLE} WHERE {where}", params
            )[0][0]
        by_admin1 = self._grouped("admin1", flt)
        return {
            "total": sum(by_admin1.values()),
            "fatalities": int(fatalities),
            "undated": undated,
            "by_admin1": dict(by_admin1.most_common()),
            "by_event_type": dict(self._grouped("event_type", flt).most_common()),
            "by_date": dict(sorted(by_date.items())),
        }

    def point_counts(self, flt: EventFilter = ALL_EVENTS) -> list[dict[str, Any]]:
        sql, params = self._select_sql("latitude, longitude, event_type, geo_precision, admin1, location", flt)
        rows = self._read(
            "SELECT avg(latitude), avg(longitude), event_type, geo_precision, admin1, location, count(*) AS n "
            f"FROM ({sql}) GROUP BY location, admin1, event_type, geo_precision ORDER BY n DESC, location",
            params,
        )
        keys = ("latitude", "longitude", "event_type", "geo_precision", "admin1", "location", "n")
        return [dict(zip(keys, row)) for row in rows]

    def info(self) -> StoreInfo:
        articles, events, undated = self._counts()
        size = sum(
            p.stat().st_size
            for p in (self.path, Path(f"{self.path}-wal"))
            if p.exists()
        )
        return StoreInfo(self.location, articles, events, undated, self.date_span(), size)


def _not_writable(path: Path) -> bool:
    """True when this process may not write ``path`` (a file, or a folder to create files in)."""
    return path.exists() and not os.access(path, os.W_OK | (os.X_OK if path.is_dir() else 0))


def write_events_file(path: str | os.PathLike[str], records: Iterable[Mapping[str, Any]]) -> int:
    """A stand-alone GeoPackage with only the ``events`` layer (exports): rollback journal
    instead of WAL so the file is self-contained, and no empty ``articles`` or history table (so
    ``gpd.read_file(path)`` needs no layer name). Returns the number of events written."""
    store = GpkgEventStore(path, wal=False)
    try:
        count = store.write_records(records)
        with store._write("finish the export") as tx:
            tx.execute(f"DROP TABLE {ARTICLES_TABLE}")
            tx.execute(f"DROP TABLE {HISTORY_TABLE}")  # an export holds current versions only
            tx.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (ARTICLES_TABLE,))
    finally:
        store.close()
    return count
