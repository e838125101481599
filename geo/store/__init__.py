"""Stage 4: the event store. One file (GeoPackage, SQLite) on a laptop, PostGIS for a team;
:func:`open_store` picks by location.

Code outside this package imports from here, not from the modules (but for the modules of
optional extras, imported where they are used)."""

from geo.store.gpkg import (
    EventFilter,
    EventStore,
    IngestOutcome,
    open_store,
    resolve_store_location,
    write_events_file,
)

__all__ = [
    "EventFilter", "EventStore", "IngestOutcome", "open_store", "resolve_store_location",
    "write_events_file",
]
