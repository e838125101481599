"""A load cache for a gazetteer with imports: the merged places and their name indexes as JSON.

Folding ~70,000 names (Who's On First gives every village ten or more) takes seconds; reading
them back takes a fraction of one. The cache lives in the imports folder (``.index-cache.json``)
and is keyed by a signature of every input file (name, size, mtime) and of the code that computes the
keys (``names.py``, ``gazetteer.py``), so a new import, a user correction or a change of the
name fold rebuilds it. JSON, not pickle: a data folder must never be able to run code.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

from geo.errors import ValidationError
from geo.models import Place

log = logging.getLogger(__name__)

CACHE_NAME = ".index-cache.json"
_FORMAT = 1
_CODE_FILES = ("names.py", "gazetteer.py", "index_cache.py")


def signature(files: list[Path]) -> str:
    """A digest of the input files' (name, size, mtime) and of the key-computing code. Names, not
    paths: a copied imports folder (mtimes kept) keeps its cache."""
    parts: list[Any] = [_FORMAT]
    for path in files:
        if path.exists():
            st = path.stat()
            parts.append([path.name, st.st_size, st.st_mtime_ns])
    here = Path(__file__).resolve().parent
    for name in _CODE_FILES:
        parts.append(hashlib.sha256((here / name).read_bytes()).hexdigest())
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


def read(path: Path, sig: str) -> tuple[list[Place], dict[str, dict]] | None:
    """(places, index) from the cache when its signature matches, else None."""
    try:
        data = json.loads(path.read_bytes())
        if data.get("signature") != sig:
            return None
        places = [Place(pid, name, kind, cc, lat, lon, a1, a1c, a2, pop, fc, tuple(alts), src)
                  for pid, name, kind, cc, lat, lon, a1, a1c, a2, pop, fc, alts, src in data["places"]]
        return places, data["index"]
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, ValidationError) as exc:
        log.warning("ignoring the gazetteer load cache %s: %s", path, exc)
        return None


def write(path: Path, sig: str, places: list[Place], index: dict[str, dict]) -> None:
    """Write the cache (to a temporary name, then renamed); a read-only folder only costs speed."""
    rows = [[p.place_id, p.name, p.kind, p.country_code, p.latitude, p.longitude, p.admin1, p.admin1_code,
             p.admin2, p.population, p.feature_code, list(p.alt_names), p.source] for p in places]
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps({"signature": sig, "places": rows, "index": index}, ensure_ascii=False),
                       encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        log.info("gazetteer load cache not written (%s): %s", path, exc)
        tmp.unlink(missing_ok=True)
