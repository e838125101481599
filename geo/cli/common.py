"""What the CLI's commands share: JSON output and argument types."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=_json_default)


def add_store_option(p) -> None:  # type: ignore[no-untyped-def]
    p.add_argument(
        "--store",
        metavar="PATH|URL",
        help="GeoPackage file or postgresql:// URL of the store (default: $GEO_STORE, else data/events.gpkg)",
    )
