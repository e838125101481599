"""An offline basemap from a tile archive on this machine (``GEO_BASEMAP=/path/to/file.mbtiles``).

Served by a small HTTP server bound to 127.0.0.1 on a free port, started once per process
(:func:`serve_archive`). Why a server and not tiles copied under Streamlit's ``static/``: an
archive of a country holds 10^5-10^6 tiles, and extracting them to files costs minutes and as
much disk again; Streamlit's static serving also sends unknown types (``.pbf``) as text/plain.
The server reads the SQLite archive directly, answers with the archive's content type, and no
request leaves the machine. The tile URL is absolute (``http://127.0.0.1:PORT/...``), so the
dashboard must be opened on the same machine; behind a reverse proxy, map a path to the server
and set ``GEO_BASEMAP_URL`` to the public template (``/tiles/{z}/{x}/{y}.png``).

MBTiles 1.3: table ``tiles(zoom_level, tile_column, tile_row, tile_data)`` with TMS rows (y
flipped), and ``metadata(name, value)`` with ``format``, ``minzoom``, ``maxzoom``, ``bounds``.
Raster (png, jpg, webp) is drawn by Leaflet; vector (pbf) needs a client library the offline
page does not ship, so it is refused with a clear message.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from geo.errors import GeoError

log = logging.getLogger(__name__)

CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}


class TileArchiveError(GeoError):
    """The tile archive cannot be used (missing, not MBTiles, vector tiles)."""


@dataclass(frozen=True)
class TileArchive:
    """What the map needs to know about an archive."""

    path: Path
    format: str  # png | jpg | webp
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float] | None  # (south, west, north, east): lat/lon order
    attribution: str
    name: str

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)


def read_archive(path: str | Path) -> TileArchive:
    """The archive's metadata (MBTiles), checked."""
    p = Path(path).expanduser().resolve()
    if not p.is_file():
        raise TileArchiveError(f"GEO_BASEMAP: no file at {p}")
    try:
        con = _connect(p)
        try:
            meta = dict(con.execute("SELECT name, value FROM metadata").fetchall())
            zooms = con.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise TileArchiveError(f"GEO_BASEMAP: {p.name} is not an MBTiles archive ({exc})") from None
    fmt = str(meta.get("format", "png")).lower()
    if fmt in ("pbf", "mvt"):
        raise TileArchiveError(f"GEO_BASEMAP: {p.name} holds vector tiles; use a raster archive (png, jpg, webp)")
    if fmt not in CONTENT_TYPES:
        raise TileArchiveError(f"GEO_BASEMAP: {p.name} has unknown tile format {fmt!r}")
    bounds = None
    if meta.get("bounds"):
        try:
            west, south, east, north = (float(v) for v in str(meta["bounds"]).split(","))
            bounds = (south, west, north, east)
        except ValueError:
            bounds = None
    lo = int(meta.get("minzoom", zooms[0] if zooms[0] is not None else 0))
    hi = int(meta.get("maxzoom", zooms[1] if zooms[1] is not None else 18))
    return TileArchive(p, "jpg" if fmt == "jpeg" else fmt, lo, hi, bounds, str(meta.get("attribution", "")),
                       str(meta.get("name", p.stem)))


class _TileHandler(BaseHTTPRequestHandler):
    server: "_TileHTTPServer"

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        parts = self.path.split("?", 1)[0].strip("/").split("/")
        try:
            if len(parts) != 4 or parts[0] != "tiles":
                raise ValueError
            z, x = int(parts[1]), int(parts[2])
            y = int(parts[3].split(".", 1)[0])
        except ValueError:
            self.send_error(404)
            return
        data = self.server.tile(z, x, y)
        if data is None:
            self.send_response(204)  # no tile here: Leaflet shows the background, no error in the console
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", self.server.archive.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "max-age=86400")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("tile server: " + format, *args)


class _TileHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, archive: TileArchive):
        super().__init__(("127.0.0.1", 0), _TileHandler)
        self.archive = archive
        self._local = threading.local()

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = _connect(self.archive.path)
        tms_y = (1 << z) - 1 - y  # MBTiles rows count from the south
        row = con.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?", (z, x, tms_y)
        ).fetchone()
        return bytes(row[0]) if row else None


@dataclass(frozen=True)
class ServedArchive:
    archive: TileArchive
    url: str  # Leaflet URL template
    port: int


_SERVERS: dict[Path, tuple[_TileHTTPServer, ServedArchive]] = {}
_LOCK = threading.Lock()


def serve_archive(path: str | Path) -> ServedArchive:
    """Start (once per process and archive) the local tile server; its URL template."""
    archive = read_archive(path)
    with _LOCK:
        if archive.path in _SERVERS:
            return _SERVERS[archive.path][1]
        server = _TileHTTPServer(archive)
        threading.Thread(target=server.serve_forever, name=f"tiles-{archive.name}", daemon=True).start()
        port = server.server_address[1]
        url = os.environ.get("GEO_BASEMAP_URL") or f"http://127.0.0.1:{port}/tiles/{{z}}/{{x}}/{{y}}.{archive.format}"
        served = ServedArchive(archive, url, port)
        _SERVERS[archive.path] = (server, served)
        log.info("serving %s (%s, z%d-%d) at %s", archive.path, archive.format, archive.min_zoom, archive.max_zoom, url)
        return served


def stop_all() -> None:
    """Stop the servers this process started (tests)."""
    with _LOCK:
        for server, _ in _SERVERS.values():
            server.shutdown()
            server.server_close()
        _SERVERS.clear()


def configured_basemap() -> ServedArchive | None:
    """The archive named by ``GEO_BASEMAP``, served; None when unset or unusable (logged)."""
    path = os.environ.get("GEO_BASEMAP", "").strip()
    if not path:
        return None
    try:
        return serve_archive(path)
    except TileArchiveError as exc:
        log.warning("%s", exc)
        return None
