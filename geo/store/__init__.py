"""Stage 4: the event store. One file (GeoPackage, SQLite) on a laptop, PostGIS for a team;
:func:`open_store` picks by location.

Layout: ``base`` (the interface, EventFilter, locations), ``core`` (the one SQL core: writes,
filters, article bookkeeping), ``edits`` (review and editing with history and undo, in the
core), ``frames`` (query results as GeoDataFrames), ``gpkg`` and ``postgis`` (the dialects),
``copy`` (copying a store to another).

Code outside this package imports from here, not from the modules (but for the modules of
optional extras, imported where they are used)."""

from __future__ import annotations

import os
from pathlib import Path

from geo.errors import StoreError
from geo.store.base import (
    DEFAULT_STORE_PATH,
    EventFilter,
    EventStore,
    IngestOutcome,
    StoreInfo,
    is_server_location,
    resolve_store_location,
)
from geo.store.copy import CopySummary, copy_store
from geo.store.frames import columns_frame, events_frame
from geo.store.gpkg import GpkgEventStore, write_events_file


def open_store(location: str | os.PathLike[str] | None = None, *, create: bool = True,
               read_only: bool | None = None) -> EventStore:
    """Open the store at ``location`` (resolved as in resolve_store_location).

    ``create=False`` refuses to create a new, empty store (export and info use it, so a
    mistyped path is an error rather than an empty result). A GeoPackage this process may not
    write (read-only file or folder) opens read-only by itself (``read_only=None``); ``True``
    forces it (nothing is ever written, not even a migration), ``False`` refuses it.
    """
    resolved = resolve_store_location(os.fspath(location) if location is not None else None)
    if is_server_location(resolved):
        from geo.store.postgis import (
            PostgisEventStore,  # psycopg only when a server is used
        )

        return PostgisEventStore(resolved, create=create)
    if "://" in resolved:
        raise StoreError(f"unsupported store location {resolved!r}: give a .gpkg file path")
    if not create and not Path(resolved).exists():
        raise StoreError(f"no store at {resolved} (ingest something first, or pass --store PATH)")
    return GpkgEventStore(resolved, read_only=read_only)


__all__ = [
    "DEFAULT_STORE_PATH", "CopySummary", "EventFilter", "EventStore", "GpkgEventStore", "IngestOutcome",
    "StoreInfo", "columns_frame", "copy_store", "events_frame", "open_store", "resolve_store_location", "write_events_file",
]
