"""An offline basemap from a tile archive on this machine (``GEO_BASEMAP=/path/to/file.mbtiles``
or ``.pmtiles``).

Served by a small HTTP server bound to 127.0.0.1 on a free port, started once per process
(:func:`serve_archive`). Why a server and not tiles copied under Streamlit's ``static/``: an
archive of a country holds 10^5-10^6 tiles, and extracting them to files costs minutes and as
much disk again; Streamlit's static serving also sends unknown types (``.pbf``) as text/plain.
The server reads the SQLite archive directly, answers with the archive's content type, and no
request leaves the machine. The tile URL is absolute (``http://127.0.0.1:PORT/...``), so the
dashboard must be opened on the same machine; behind a reverse proxy, map a path to the server
and set ``GEO_BASEMAP_URL`` to the public template (``/tiles/{z}/{x}/{y}.png``).

MBTiles 1.3: table ``tiles(zoom_level, tile_column, tile_row, tile_data)`` with TMS rows (y
flipped), and ``metadata(name, value)`` with ``format``, ``minzoom``, ``maxzoom``, ``bounds`` (and,
for vector tiles, ``json`` with ``vector_layers``). PMTiles 3 (one file, read with the ``pmtiles``
package): the same XYZ addresses. Raster (png, jpg, webp) is drawn by Leaflet; vector tiles
(Mapbox Vector Tiles, pbf/mvt: an OpenMapTiles or Protomaps extract) by MapLibre GL inside the
Leaflet map (:mod:`geo.webmap.vector_style` styles them from the archive's own list of layers).
Vector tiles are stored gzipped by convention; the server sends them inflated, so that the
browser needs no ``Content-Encoding`` handling.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import sqlite3
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from geo.errors import GeoError

log = logging.getLogger(__name__)

CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp",
                 "pbf": "application/x-protobuf"}
_GZIP_MAGIC = b"\x1f\x8b"


class TileArchiveError(GeoError):
    """The tile archive cannot be used (missing, not MBTiles or PMTiles, an unknown tile format)."""


@dataclass(frozen=True)
class TileArchive:
    """What the map needs to know about an archive."""

    path: Path
    format: str  # png | jpg | webp | pbf (vector)
    min_zoom: int
    max_zoom: int
    bounds: tuple[float, float, float, float] | None  # (south, west, north, east): lat/lon order
    attribution: str
    name: str
    kind: str = "mbtiles"  # mbtiles | pmtiles
    vector_layers: tuple[str, ...] = ()  # the layer ids of a vector archive, in its own order

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    @property
    def is_vector(self) -> bool:
        return self.format == "pbf"


def _vector_layer_ids(p: Path, meta: dict) -> tuple[str, ...]:
    """The ``vector_layers`` ids of a vector archive's metadata (TileJSON), which a style needs."""
    layers = meta.get("vector_layers")
    if layers is None and meta.get("json"):  # MBTiles keeps them in a JSON string
        try:
            layers = json.loads(str(meta["json"])).get("vector_layers")
        except (ValueError, AttributeError):
            layers = None
    ids = tuple(str(layer["id"]) for layer in layers or () if isinstance(layer, dict) and layer.get("id"))
    if not ids:
        raise TileArchiveError(f"GEO_BASEMAP: {p.name} holds vector tiles but lists no vector_layers in its "
                               "metadata, so there is nothing to style")
    return ids


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)


def _is_pmtiles(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(7) == b"PMTiles"


def _read_pmtiles(p: Path) -> TileArchive:
    from pmtiles.reader import MmapSource, Reader
    from pmtiles.tile import Compression, TileType

    with p.open("rb") as f:
        try:
            reader = Reader(MmapSource(f))
            header = reader.header()
            meta = reader.metadata()
        except Exception as exc:  # noqa: BLE001 - any decoding error means "not a usable archive"
            raise TileArchiveError(f"GEO_BASEMAP: {p.name} is not a PMTiles archive ({exc})") from None
    fmt = {TileType.PNG: "png", TileType.JPEG: "jpg", TileType.WEBP: "webp", TileType.MVT: "pbf"}.get(
        header["tile_type"])
    if fmt is None:
        raise TileArchiveError(f"GEO_BASEMAP: {p.name} holds {header['tile_type']} tiles; use png, jpg, webp or "
                               "vector (MVT) tiles")
    if header["tile_compression"] not in (Compression.NONE, Compression.GZIP, Compression.UNKNOWN):
        raise TileArchiveError(f"GEO_BASEMAP: {p.name} compresses its tiles with {header['tile_compression']}; "
                               "re-encode it with gzip or none (pmtiles convert)")
    bounds = (header["min_lat_e7"] / 1e7, header["min_lon_e7"] / 1e7, header["max_lat_e7"] / 1e7,
              header["max_lon_e7"] / 1e7)
    layers = _vector_layer_ids(p, meta) if fmt == "pbf" else ()
    return TileArchive(p, fmt, int(header["min_zoom"]), int(header["max_zoom"]), bounds,
                       str(meta.get("attribution", "")), str(meta.get("name", p.stem)), kind="pmtiles",
                       vector_layers=layers)


def read_archive(path: str | Path) -> TileArchive:
    """The archive's metadata (MBTiles or PMTiles), checked."""
    p = Path(path).expanduser().resolve()
    if not p.is_file():
        raise TileArchiveError(f"GEO_BASEMAP: no file at {p}")
    if _is_pmtiles(p):
        return _read_pmtiles(p)
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
    fmt = "pbf" if fmt == "mvt" else fmt
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
    layers = _vector_layer_ids(p, meta) if fmt == "pbf" else ()
    return TileArchive(p, "jpg" if fmt == "jpeg" else fmt, lo, hi, bounds, str(meta.get("attribution", "")),
                       str(meta.get("name", p.stem)), vector_layers=layers)


class _TileHandler(BaseHTTPRequestHandler):
    server: _TileHTTPServer

    def do_GET(self) -> None:
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

    def log_message(self, format: str, *args: object) -> None:
        log.debug("tile server: " + format, *args)


class _TileHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, archive: TileArchive):
        super().__init__(("127.0.0.1", 0), _TileHandler)
        self.archive = archive
        self._local = threading.local()

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        if not (0 <= x < (1 << z) and 0 <= y < (1 << z)) or z > 30:
            return None
        data = self._pmtile(z, x, y) if self.archive.kind == "pmtiles" else self._mbtile(z, x, y)
        if data is not None and self.archive.is_vector and data[:2] == _GZIP_MAGIC:
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError):
                log.warning("tile %d/%d/%d of %s is not valid gzip: not served", z, x, y, self.archive.name)
                return None
        return data

    def _mbtile(self, z: int, x: int, y: int) -> bytes | None:
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = _connect(self.archive.path)
        tms_y = (1 << z) - 1 - y  # MBTiles rows count from the south
        row = con.execute(
            "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?", (z, x, tms_y)
        ).fetchone()
        return bytes(row[0]) if row else None

    def _pmtile(self, z: int, x: int, y: int) -> bytes | None:
        from pmtiles.reader import MmapSource, Reader

        reader = getattr(self._local, "reader", None)
        if reader is None:
            f = self.archive.path.open("rb")  # one handle per server thread, closed with the process
            reader = self._local.reader = Reader(MmapSource(f))
        data = reader.get(z, x, y)
        return bytes(data) if data else None


@dataclass(frozen=True)
class ServedArchive:
    archive: TileArchive
    url: str  # Leaflet URL template
    port: int


_SERVERS: dict[Path, tuple[_TileHTTPServer, ServedArchive]] = {}
_LOCK = threading.Lock()


def serve_archive(path: str | Path) -> ServedArchive:
    """Start (once per process and archive) the local tile server; its URL template."""
    known = _SERVERS.get(Path(path).expanduser().resolve())
    if known is not None:  # (every rerun asks: the archive is read once)
        return known[1]
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


def _configured() -> tuple[ServedArchive | None, str | None]:
    """(the archive ``GEO_BASEMAP`` names, served; why it cannot be used): (None, None) when unset."""
    path = os.environ.get("GEO_BASEMAP", "").strip()
    if not path:
        return None, None
    try:
        return serve_archive(path), None
    except TileArchiveError as exc:
        return None, str(exc)


def configured_basemap() -> ServedArchive | None:
    """The archive named by ``GEO_BASEMAP``, served; None when unset or unusable (logged, and
    said by :func:`basemap_problem`)."""
    served, problem = _configured()
    if problem:
        log.warning("%s", problem)
    return served


def basemap_problem() -> str | None:
    """Why the archive ``GEO_BASEMAP`` names cannot be used (for the dashboard to say so, as a
    misspelt path would otherwise only leave a plain map); None when unset or usable."""
    return _configured()[1]
