"""Connections and write transactions, shared by the SQL core, its edit history and both backends:
``Tx`` (one write transaction on one connection) and ``ConnectionPool`` (idle connections, one
thread each)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from geo.errors import StoreError


class Tx:
    """One write transaction on one connection; ``execute`` takes core SQL (``?`` marks)."""

    def __init__(self, conn: Any, convert: Callable[[str], str] = str) -> None:
        self.conn = conn
        self._convert = convert
        self.extent: list[tuple[float, float]] = []  # (lat, lon) of written events (GeoPackage extent)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self._convert(sql), params)


class ConnectionPool:
    """A few idle connections, each handed to one thread at a time (both backends use it)."""

    def __init__(self, location: str, max_idle: int = 4) -> None:
        self.location = location
        self.max_idle = max_idle
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._closed = False

    def take(self) -> Any | None:
        """An idle connection, or None (the caller connects); StoreError once the store is closed."""
        with self._lock:
            if self._closed:
                raise StoreError(f"{self.location}: the store is closed")
            return self._idle.pop() if self._idle else None

    def give(self, conn: Any) -> bool:
        """Keep ``conn`` for the next caller; False when it should be closed instead."""
        with self._lock:
            keep = not self._closed and len(self._idle) < self.max_idle
            if keep:
                self._idle.append(conn)
        return keep

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()
