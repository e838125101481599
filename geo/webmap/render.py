"""Templates and static files of the web map: one Jinja2 environment for all of them.

HTML templates (``templates/*.html``) are autoescaped, so user text (titles, sources, actors,
notes, locations) reaches the page as text. JavaScript templates (``templates/*.js``) are
folium macro templates that inject values only through the ``js`` filter (:func:`js_json`,
JSON that cannot close the ``<script>`` element). The browser library and the highlight CSS are
plain files in ``static/``.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from folium.template import tojavascript
from markupsafe import Markup

HERE = Path(__file__).resolve().parent
TEMPLATE_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"


# branca compiles every macro's rendered script again as a Jinja2 template (Element(script)), so
# "{{", "{%" and "{#" inside user text would be evaluated on the server (template injection).
# Outside strings, JSON never has these pairs, so replacing them escapes only string contents.
_JS_ESCAPES = (("</", "<\\/"), ("<!--", "<\\u0021--"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"),
               ("{{", "{\\u007b"), ("{%", "{\\u0025"), ("{#", "{\\u0023"))


def js_json(value: Any) -> str:
    """Compact JSON safe to inline in a ``<script>`` that folium/branca renders: no ``</`` or
    ``<!--`` can close or confuse the element, and no Jinja2 delimiter survives."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for raw, escaped in _JS_ESCAPES:
        text = text.replace(raw, escaped)
    return text


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
        # the templates are package files: no stat of each file on every get_template (500 popups a rerun)
        auto_reload=False,
    )
    env.filters["js"] = js_json
    env.filters["tojavascript"] = tojavascript  # folium's own filter, for its macro conventions
    return env


def template(name: str) -> jinja2.Template:
    """A template by file name (``popup_event.html``, ``event_cluster.js``)."""
    return environment().get_template(name)


def render_html(name: str, **context: Any) -> str:
    """An HTML template rendered with autoescape (context values are escaped unless Markup)."""
    return template(name).render(**context)


@cache
def static_text(name: str) -> str:
    """A file of ``static/`` (JavaScript library, CSS)."""
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def safe_url(value: Any) -> str | None:
    """``value`` when it is an absolute http(s) URL with a host, else None: only these become links
    (no ``javascript:``, ``data:`` or relative tricks)."""
    if value is None:
        return None
    text = str(value).strip()
    if not text or any(c in text for c in "\x00\r\n\t \"'<>`"):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


__all__ = ["Markup", "environment", "js_json", "render_html", "safe_url", "static_text", "template"]
