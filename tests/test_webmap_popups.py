"""Popups and legends: every user text field is shown as text, whatever it holds; only http(s)
URLs become links. Table-driven over payloads x fields."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from geo.webmap import layers as mapping
from geo.webmap.render import js_json, safe_url

PAYLOADS = [
    '<script>alert("x")</script>',
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    "[click me](javascript:alert(1))",
    "**bold** _it_ <b>b</b> &amp; &lt;",
    "</div></blockquote><a href=javascript:alert(1)>x</a>",
    "{{ 7*7 }} {% raw %}",
]
TEXT_FIELDS = ["event_type", "sub_event_type", "actor1", "actor2", "location", "admin1", "notes", "source",
               "title", "article_id", "url"]
ALLOWED_TAGS = {"div", "span", "b", "blockquote", "mark", "a", "ul", "li"}
ALLOWED_ATTRS = {"class", "style", "href", "target", "rel"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parsed(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    p.close()
    return p


def row(**overrides) -> dict:
    r = {
        "event_id": "e1", "event_date": dt.date(2014, 1, 5), "time_precision": 1, "event_type": "Battles",
        "sub_event_type": "Armed clash", "actor1": "A", "actor2": "B", "country": "Syria", "admin1": "Aleppo",
        "admin1_code": "SY-HL", "location": "Manbij", "latitude": 36.5, "longitude": 37.9, "geo_precision": 1,
        "fatalities": 2, "notes": "Clashes in Manbij.", "article_id": "art-1", "source": "AP",
        "sentence_start": None, "sentence_end": None, "place_start": None, "place_end": None,
    }
    r.update(overrides)
    return r


def assert_inert(html: str) -> _Tags:
    """Only our tags and attributes; every link is the dashboard's own or http(s)."""
    p = parsed(html)
    for tag, attrs in p.tags:
        assert tag in ALLOWED_TAGS, (tag, html)
        assert set(attrs) <= ALLOWED_ATTRS, (attrs, html)
        if tag == "a":
            href = attrs["href"] or ""
            assert href.startswith(("?view=article&article=", "http://", "https://")), href
    return p


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_event_popup_shows_user_text_as_text(field, payload):
    html = mapping.event_popup_html(row(**{field: payload}))
    p = assert_inert(html)
    shown = "".join(p.text)
    if field not in ("article_id", "url", "title"):  # the id is in a link only; url only when http(s)
        assert payload in shown, (field, payload)
    if field == "title":  # shown when there is no source
        assert payload in "".join(assert_inert(mapping.event_popup_html(row(source=None, title=payload))).text)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_province_popup_and_highlight_escape(payload):
    events = pd.DataFrame([row(sub_event_type=payload, article_id=payload, geo_precision=3)])
    html = mapping.province_popup_html(payload, 3, {"Battles": 2, payload: 1}, events)
    p = assert_inert(html)
    assert payload in "".join(p.text)
    spans = [mapping.Span(0, min(5, len(payload)), "place", payload, 1)]
    out = mapping.highlight_spans(payload, spans)
    assert_inert(out.replace("<mark", "<span").replace("</mark>", "</span>").replace(" title=", " class="))
    assert payload == "".join(parsed(out).text)


@pytest.mark.parametrize(
    "url, link",
    [
        ("https://example.org/a?b=1&c=2", True),
        ("http://example.org", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("//evil.example/x", False),
        ("/relative/path", False),
        ('https://example.org/"onmouseover="alert(1)', False),
        ("https://exa mple.org", False),
        ("ftp://example.org/file", False),
        ("", False),
        (None, False),
    ],
)
def test_only_http_urls_become_links(url, link):
    assert (safe_url(url) is not None) == link
    html = mapping.event_popup_html(row(url=url))
    hrefs = [a["href"] for t, a in assert_inert(html).tags if t == "a" and "geo-source-link" in (a.get("class") or "")]
    assert hrefs == ([url] if link else [])


@pytest.mark.parametrize("payload", ["</script><script>alert(1)</script>", "<!--", "\u2028", "</SCRIPT >"])
def test_js_json_cannot_close_the_script(payload):
    out = js_json({"notes": payload})
    assert "</" not in out and "<!--" not in out and "\u2028" not in out
    assert json.loads(out) == {"notes": payload}


@pytest.mark.parametrize("payload", ["{{ 7*7 }}", "{% raw %}", "{# x", "{{ cycler.__init__.__globals__ }}"])
@pytest.mark.parametrize("field", ["location", "notes", "actor1", "source", "event_id", "sub_event_type"])
def test_template_syntax_in_user_text_is_never_evaluated(field, payload):
    """branca re-compiles each rendered script as a Jinja2 template: user text must not reach it raw."""
    df = pd.DataFrame([row(**{field: f"x {payload} y"})])
    m, _ = mapping.build_map(df, None, selected_event_id=str(df.iloc[0]["event_id"]), offline_tiles=False)
    html = m.get_root().render()
    found = re.search(r"GeoMap\.selected\(\w+, (.*)\);\n", html)
    data = json.loads(found.group(1))
    assert f"x {payload} y" in data["html"] or f"x {payload} y" == data["id"] or field == "sub_event_type"
    assert "x 49 y" not in html


@pytest.mark.parametrize("field", ["location", "notes", "actor1", "source", "event_id"])
def test_payload_in_any_field_cannot_break_out_of_the_map_script(field):
    def scripts(value: str) -> list[str]:
        df = pd.DataFrame([row(**{field: value})])
        m, _ = mapping.build_map(df, None, selected_event_id=str(df.iloc[0]["event_id"]), offline_tiles=False)
        p = parsed(m.get_root().render())
        return [t for t, _ in p.tags if t == "script"]

    # The payload adds no script element: it stays inside the map script's JSON strings.
    assert len(scripts("x </script><script>window.__xss=1</script>")) == len(scripts("plain"))


@pytest.mark.parametrize(
    "value, label",
    [
        (dt.date(2014, 1, 5), "2014-01-05 (day)"),
        ("2014-01-05", "2014-01-05 (day)"),
        (pd.Timestamp("2014-01-05 13:00"), "2014-01-05 (day)"),
        ("5 January 2014", "2014-01-05 (day)"),
        ("yesterday", "undated"),
        ("0001-01-01", "undated"),
        (None, "undated"),
        (float("nan"), "undated"),
    ],
)
def test_dates_go_through_the_one_parser(value, label):
    assert mapping.date_label(value, 1) == label
