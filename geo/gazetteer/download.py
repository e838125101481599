"""``python -m geo gazetteer download``: fetch Who's On First Syria at a pinned commit and import it.

The pin (``data/gazetteer/wof_pin.json``: repository, commit, sha256 of GitHub's tarball of that
commit) makes every user import the same data, checked byte for byte. The tarball is downloaded
to a temporary folder, its SHA-256 compared with the pin, its ``data/`` tree extracted there
(tarfile's ``data`` filter: no links out, no absolute paths) and imported with
:func:`geo.gazetteer.wof.import_wof`. Nothing in the imports folder changes unless every step
succeeded. Offline, the first connection fails within ``CONNECT_TIMEOUT_S`` and the command
prints one line.

``python -m geo gazetteer download --pin`` (maintainers, online) resolves the repository's current
commit through the GitHub API, downloads its tarball and writes the new pin.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import socket
import tarfile
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from geo.errors import GazetteerError
from geo.gazetteer.paths import DATA_DIR

log = logging.getLogger(__name__)

PIN_PATH = DATA_DIR / "wof_pin.json"
TARBALL_URL = "https://codeload.github.com/{repository}/tar.gz/{commit}"
COMMIT_API_URL = "https://api.github.com/repos/{repository}/commits/{branch}"
CONNECT_TIMEOUT_S = 6.0  # for DNS, then per connection attempt and per read: offline fails within 15 s
CHUNK = 1 << 20
MAX_BYTES = 2 << 30  # a Syria tarball is tens of MB; refuse runaway responses


def read_pin(path: Path = PIN_PATH) -> dict[str, Any]:
    try:
        pin = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GazetteerError(f"cannot read the WOF pin {path}: {exc}") from exc
    if not pin.get("repository"):
        raise GazetteerError(f"the WOF pin {path} names no repository")
    return pin


def _check_host(url: str) -> None:
    """Resolve the URL's host within CONNECT_TIMEOUT_S: socket timeouts do not cover DNS, and an
    offline resolver can take longer than that to give up."""
    host = urllib.parse.urlsplit(url).hostname or ""
    result: list[BaseException | None] = []

    def lookup() -> None:
        try:
            socket.getaddrinfo(host, None)
            result.append(None)
        except OSError as exc:
            result.append(exc)

    worker = threading.Thread(target=lookup, daemon=True)  # daemon: a hung lookup never blocks exit
    worker.start()
    worker.join(CONNECT_TIMEOUT_S)
    if not result:
        raise GazetteerError(f"cannot download the WOF gazetteer (offline?): no answer for {host} ({url})")
    if result[0] is not None:
        raise GazetteerError(f"cannot download the WOF gazetteer (offline?): {result[0]} ({url})")


def _fetch(url: str, dest: Path) -> str:
    """Download ``url`` to ``dest``; returns its SHA-256 (hex)."""
    _check_host(url)
    digest = hashlib.sha256()
    size = 0
    request = urllib.request.Request(url, headers={"User-Agent": "geo-gazetteer-download"})
    try:
        with urllib.request.urlopen(request, timeout=CONNECT_TIMEOUT_S) as response, open(dest, "wb") as fh:
            while chunk := response.read(CHUNK):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise GazetteerError(f"download larger than {MAX_BYTES >> 20} MB: refused ({url})")
                digest.update(chunk)
                fh.write(chunk)
    except urllib.error.HTTPError as exc:
        raise GazetteerError(f"download failed: HTTP {exc.code} from {url}") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise GazetteerError(f"cannot download the WOF gazetteer (offline?): {reason} ({url})") from exc
    log.info("downloaded %d bytes from %s", size, url)
    return digest.hexdigest()


def _extract(tarball: Path, into: Path) -> Path:
    """Extract the repository's ``data/`` tree (and licence files); returns the repository root."""
    try:
        with tarfile.open(tarball, "r:gz") as tar:
            members = [m for m in tar.getmembers() if "/data/" in f"/{m.name}" or m.name.endswith(
                ("LICENSE.md", "README.md"))]
            tar.extractall(into, members=members, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise GazetteerError(f"cannot unpack the WOF tarball: {exc}") from exc
    roots = [p.parent for p in into.glob("*/data") if p.is_dir()] or ([into] if (into / "data").is_dir() else [])
    if len(roots) != 1:
        raise GazetteerError("the WOF tarball has no single data/ folder")
    return roots[0]


def data_tree_digest(root: Path) -> str:
    """SHA-256 over a WOF checkout's ``data/`` tree: every GeoJSON file's path and content, in path order.

    It identifies the data whatever way it arrived (a GitHub tarball, whose bytes GitHub may
    regenerate, or a clone), so a pin can be made from a checkout of the pinned commit, offline.
    """
    digest = hashlib.sha256()
    data = root / "data"
    for path in sorted(data.rglob("*.geojson")):
        digest.update(path.relative_to(data).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def download_wof(
    *,
    out_dir: Path | None = None,
    pin_path: Path = PIN_PATH,
    url: str | None = None,
    sha256: str | None = None,
) -> dict[str, Any]:
    """Download, check and import WOF at the pinned commit (``url``/``sha256`` override the pin)."""
    from geo.gazetteer.wof import import_wof

    pin = read_pin(pin_path)
    expected = (sha256 or pin.get("sha256") or "").lower()
    # Without a tarball checksum, the pinned digest of the data tree checks what was unpacked.
    expected_data = "" if sha256 else (pin.get("data_sha256") or "").lower()
    if not url and not pin.get("commit"):
        raise GazetteerError(f"no WOF commit pinned in {pin_path}: run `python -m geo gazetteer download --pin` "
                             "online, or clone the repository and `python -m geo gazetteer import-wof PATH`")
    if not expected and not expected_data:
        raise GazetteerError(f"no SHA-256 pinned in {pin_path}: refusing to import unchecked data")
    source = url or TARBALL_URL.format(repository=pin["repository"], commit=pin["commit"])
    with tempfile.TemporaryDirectory(prefix="geo-wof-") as tmp:
        tarball = Path(tmp) / "wof.tar.gz"
        got = _fetch(source, tarball)
        if expected and got != expected:
            raise GazetteerError(f"checksum mismatch for {source}: got {got}, pinned {expected}; nothing imported")
        root = _extract(tarball, Path(tmp) / "repo")
        if expected_data:
            got_data = data_tree_digest(root)
            if got_data != expected_data:
                raise GazetteerError(f"the data of {source} differ from the pinned commit's (data tree sha256 "
                                     f"{got_data}, pinned {expected_data}); nothing imported")
            got = f"data tree {got_data}"
        summary = import_wof(root, out_dir=out_dir, origin=f"{source} (sha256 {got})")
    summary["commit"] = pin.get("commit") if not url else None
    return summary


def make_pin(
    *, pin_path: Path = PIN_PATH, branch: str = "master", api_url: str | None = None, tarball_url: str | None = None,
) -> dict[str, Any]:
    """Pin the repository's current commit: its id from the GitHub API, its tarball's SHA-256."""
    pin = read_pin(pin_path)
    with tempfile.TemporaryDirectory(prefix="geo-wof-pin-") as tmp:
        meta = Path(tmp) / "commit.json"
        _fetch(api_url or COMMIT_API_URL.format(repository=pin["repository"], branch=branch), meta)
        try:
            commit = json.loads(meta.read_text(encoding="utf-8"))["sha"]
        except (ValueError, KeyError) as exc:
            raise GazetteerError(f"unexpected answer from the GitHub API: {exc}") from exc
        url = tarball_url or TARBALL_URL.format(repository=pin["repository"], commit=commit)
        digest = _fetch(url, Path(tmp) / "wof.tar.gz")
        data_digest = data_tree_digest(_extract(Path(tmp) / "wof.tar.gz", Path(tmp) / "repo"))
    pin.update({"commit": commit, "sha256": digest, "data_sha256": data_digest})
    tmp_pin = pin_path.with_name(pin_path.name + ".tmp")
    tmp_pin.write_text(json.dumps(pin, indent=2) + "\n", encoding="utf-8")
    shutil.move(tmp_pin, pin_path)
    return pin
