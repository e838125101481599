"""Popup and legend HTML, rendered from autoescaped Jinja2 templates (``templates/*.html``).

User text (titles, sources, URLs, actors, notes, locations) is always escaped by the template;
only the place highlight inside the notes is built here, from escaped pieces, and only absolute
http(s) URLs become links (:func:`geo.webmap.render.safe_url`).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import pandas as pd
from markupsafe import Markup

from geo.webmap.aggregate import iso_date, sorted_recent_first
from geo.webmap.render import render_html, safe_url
from geo.webmap.style import (
    GEO_PRECISION_LABELS,
    TIME_PRECISION_LABELS,
    TYPE_COLORS,
    TYPE_NAMES,
    UNKNOWN_TYPE_COLOR,
)


def esc(value: Any) -> str:
    """``value`` as escaped HTML text ('' for None/NaN)."""
    if _missing(value):
        return ""
    return html.escape(str(value), quote=True)


def _missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return type(value).__name__ in {"NAType", "NaTType"}


def text_or_none(value: Any) -> str | None:
    """A non-empty string, or None for missing values."""
    if _missing(value):
        return None
    text = str(value)
    return text if text.strip() else None


def int_or_none(value: Any) -> int | None:
    if _missing(value):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def place_span_in_notes(
    notes: str, location: str | None, place_start: Any = None, place_end: Any = None, sentence_start: Any = None,
) -> tuple[int, int] | None:
    """Where the place name sits inside ``notes`` (the supporting sentence).

    Uses the article offsets ``place_start``/``place_end`` relative to ``sentence_start`` when they
    fall inside the sentence, else a case-insensitive search for ``location``.
    """
    if not notes:
        return None
    ps, pe, ss = int_or_none(place_start), int_or_none(place_end), int_or_none(sentence_start)
    if ps is not None and pe is not None and ss is not None:
        a, b = ps - ss, pe - ss
        if 0 <= a < b <= len(notes) and _word_bounded(notes, a, b):
            return a, b
    if location:
        i = notes.lower().find(str(location).lower())
        if i >= 0:
            return i, i + len(str(location))
    return None


def _word_bounded(text: str, a: int, b: int) -> bool:
    """True when text[a:b] does not cut a word at either end."""
    left_ok = a == 0 or not (text[a - 1].isalnum() and text[a].isalnum())
    right_ok = b == len(text) or not (text[b - 1].isalnum() and text[b].isalnum())
    return left_ok and right_ok


def highlight_notes(
    notes: Any, location: str | None = None, place_start: Any = None, place_end: Any = None,
    sentence_start: Any = None, limit: int | None = None,
) -> Markup:
    """The sentence as escaped HTML with the place name in ``<mark>``; trimmed around it to ``limit``."""
    notes = text_or_none(notes) or ""
    location = text_or_none(location)
    span = place_span_in_notes(notes, location, place_start, place_end, sentence_start)
    prefix = suffix = ""
    if limit and len(notes) > limit:
        centre = span[0] if span else 0
        lo = max(0, min(centre - limit // 3, len(notes) - limit))
        hi = lo + limit
        prefix = "\u2026" if lo > 0 else ""
        suffix = "\u2026" if hi < len(notes) else ""
        if span:
            span = (max(span[0] - lo, 0), min(span[1] - lo, limit))
        notes = notes[lo:hi]
    if not span:
        return Markup(prefix + esc(notes) + suffix)
    a, b = span
    return Markup(
        prefix + esc(notes[:a]) + '<mark class="geo-place">' + esc(notes[a:b]) + "</mark>" + esc(notes[b:]) + suffix
    )


def article_href(article_id: Any) -> str:
    """The dashboard's link to an article (relative; the id is percent-encoded)."""
    return "?view=article&article=" + quote(str(article_id), safe="")


def date_label(value: Any, time_precision: Any) -> str:
    d = iso_date(value)
    if not d:
        return "undated"
    return f"{d} ({TIME_PRECISION_LABELS.get(int_or_none(time_precision), 'precision unknown')})"


def type_color(event_type: Any) -> str:
    return TYPE_COLORS.get(str(event_type), UNKNOWN_TYPE_COLOR)


def event_popup_html(row: Mapping[str, Any], notes_limit: int | None = 700) -> str:
    """Popup of one event (templates/popup_event.html). Every value is escaped; the place is highlighted."""
    location, admin1 = text_or_none(row.get("location")), text_or_none(row.get("admin1"))
    place = location or ""
    if admin1 and admin1 != location:
        place = f"{place}, {admin1}" if place else admin1
    aid = text_or_none(row.get("article_id"))
    notes = highlight_notes(
        row.get("notes"), location, row.get("place_start"), row.get("place_end"), row.get("sentence_start"),
        limit=notes_limit,
    )
    return render_html(
        "popup_event.html",
        color=type_color(row.get("event_type")),
        event_type=text_or_none(row.get("event_type")) or "",
        sub_event_type=text_or_none(row.get("sub_event_type")) or "",
        date=date_label(row.get("event_date"), row.get("time_precision")),
        actors=[a for a in (text_or_none(row.get("actor1")), text_or_none(row.get("actor2"))) if a],
        place=place,
        precision=GEO_PRECISION_LABELS.get(int_or_none(row.get("geo_precision")), "precision unknown"),
        fatalities=int_or_none(row.get("fatalities")),
        notes=notes,
        article_href=article_href(aid) if aid else None,
        source=text_or_none(row.get("source")) or text_or_none(row.get("title")),
        source_url=safe_url(row.get("url") if row.get("url") is not None else row.get("source_url")),
    )


# The columns a governorate roll-up's popup lists for its most recent events.
PROVINCE_LIST_COLUMNS = ("event_date", "time_precision", "sub_event_type", "article_id")


def province_popup_html(
    admin1: str, total: int, by_type: Mapping[str, int] | pd.Series, events: pd.DataFrame | None = None,
    list_limit: int = 8, presorted: bool = False,
) -> str:
    """Popup of a governorate roll-up: how many events, by type, and the most recent ones listed
    (``events``; ``presorted`` when they are already most recent first)."""
    rows: list[dict[str, Any]] = []
    if events is not None and len(events):
        rows = province_list_records((events if presorted else sorted_recent_first(events)).head(list_limit))
    return province_popup_from_rows(admin1, total, by_type, rows)


def province_list_records(events: pd.DataFrame) -> list[dict[str, Any]]:
    """The PROVINCE_LIST_COLUMNS (those present) of each event, as records for a roll-up's list."""
    return events[[c for c in PROVINCE_LIST_COLUMNS if c in events.columns]].to_dict("records")


def province_popup_from_rows(admin1: str, total: int, by_type: Mapping[str, int] | pd.Series,
                             rows: Sequence[Mapping[str, Any]]) -> str:
    """province_popup_html with the listed events given as records (PROVINCE_LIST_COLUMNS), most
    recent first and already cut to the list's length."""
    items = by_type.items() if hasattr(by_type, "items") else by_type
    types = [{"name": str(t), "color": type_color(t), "count": int(c)} for t, c in items]
    listed = []
    for r in rows:
        aid = text_or_none(r.get("article_id"))
        listed.append({
            "date": date_label(r.get("event_date"), r.get("time_precision")),
            "sub_event_type": text_or_none(r.get("sub_event_type")) or "",
            "article_href": article_href(aid) if aid else None,
        })
    more = total - len(listed) if listed and total > len(listed) else 0
    return render_html("popup_province.html", admin1=text_or_none(admin1), total=int(total), types=types,
                       listed=listed, more=more)


def type_legend_html(size_by_fatalities: bool = False) -> str:
    types = [{"name": t, "color": TYPE_COLORS[t]} for t in TYPE_NAMES]
    return render_html("legend_types.html", types=types, size_by_fatalities=size_by_fatalities)
