"""User text shown as text: titles, sources, urls, actors and notes never become markdown or HTML.

Streamlit renders the body of ``st.markdown``, ``st.caption``, ``st.title``, ``st.success`` ... as
markdown: an article title ``![t](http://host/x.png)`` would make the browser fetch that URL (a
tracking beacon that breaks the offline promise). Every user value that reaches one of them goes
through :func:`md`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit

# CommonMark lets any ASCII punctuation be backslash-escaped; Streamlit adds :emoji:/:color[]
# shortcodes and $math$, so ':' and '$' are escaped too.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&=\"'])")
_NEWLINES = re.compile(r"[\r\n]+")


def md(value: Any, limit: int | None = None) -> str:
    """``value`` as a markdown string that renders as exactly this text (one line)."""
    if value is None:
        return ""
    text = _NEWLINES.sub(" ", str(value))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return _MD_SPECIAL.sub(r"\\\1", text)


def safe_url(url: Any) -> str | None:
    """An http(s) URL percent-encoded so that it cannot break out of a markdown link, else None."""
    if not url:
        return None
    text = str(url).strip()
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return None
    if scheme not in ("http", "https"):
        return None
    return quote(text, safe=":/?#@!$&'*+,;=%~-._")  .replace("(", "%28").replace(")", "%29").replace("'", "%27")


def md_link(label: str, url: Any) -> str:
    """``[label](url)`` for an http(s) URL (label escaped), else the escaped URL as text."""
    href = safe_url(url)
    if href is None:
        return md(url)
    return f"[{md(label)}](<{href}>)"


def html_block(html_text: str) -> str:
    """Our own escaped HTML (``highlight_spans``) for ``st.markdown(..., unsafe_allow_html=True)``.

    Markdown treats ``<div>...`` as raw HTML only up to the first blank line; after it, the
    article's own text would be read as markdown again (``![t](http://host/x.png)`` in a
    paragraph would be fetched). Newlines become ``&#10;`` (the same text under ``white-space:
    pre-wrap``), so the block never ends early and nothing inside it is markdown.
    """
    return html_text.replace("\r", "").replace("\n", "&#10;")
