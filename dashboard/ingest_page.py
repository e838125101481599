"""The Ingest page: upload or paste articles, preview the events found, review them (accept,
reject, edit), fix unknown places, then store what was accepted."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import streamlit as st

from dashboard import data, review, state, storing
from dashboard.text import html_block, md
from geo.errors import GeoError
from geo.models import Article, stable_id
from geo.webmap import layers as mapping

log = logging.getLogger(__name__)
LEGEND_HTML = (
    '<div class="geo-text" style="white-space:normal;font-size:0.85rem">'
    '<mark class="hl-place">place</mark> <mark class="hl-unresolved">unknown place</mark> '
    '<mark class="hl-trigger">event trigger</mark> <mark class="hl-date">date</mark> '
    '<mark class="hl-sentence">sentence of an event</mark></div>'
)


def render() -> None:
    location = st.session_state["store_location"]
    st.title("Add articles")
    st.caption("Upload text or HTML files, or paste an article. Preview the events found, accept, reject "
               "or edit each, fix unknown places, then add what you accepted to the store.")
    mode = st.radio("Input", ["Paste an article", "Upload files"], key="ingest_mode", horizontal=True)
    articles = upload_articles() if mode == "Upload files" else pasted_articles()
    msg = st.session_state.pop("_ingest_msg", None)
    if msg:
        getattr(st, msg[0])(msg[1])
    for i, article in enumerate(articles):
        preview(location, i, article)
    state.write_url({"view": "ingest"})


def upload_articles() -> list[Article]:
    """Uploaded files read exactly as ``geo ingest`` reads them (geo.ingest.read_upload: decoding,
    front matter, HTML, CSV/JSONL rows, THE date parser), with its problems shown."""
    from geo.ingest import read_upload

    files = st.file_uploader("Text, HTML, CSV or JSONL files", type=["txt", "md", "html", "htm", "csv", "jsonl"],
                             accept_multiple_files=True, key="ingest_files")
    out = []
    for f in files or []:
        try:
            result = read_upload(f.name, f.getvalue())
        except GeoError as exc:
            st.error(md(exc))
            continue
        for problem in result.problems:
            st.warning(md(problem))
        out.extend(article for _, article in result.articles)
    return out


def pasted_articles() -> list[Article]:
    with st.form("paste_form"):
        c1, c2 = st.columns([2, 1])
        c1.text_input("Title", key="paste_title")
        c2.date_input("Published", value=None, key="paste_date", format="YYYY-MM-DD")
        c1.text_input("Source", key="paste_source")
        c2.text_input("URL", key="paste_url")
        st.text_area("Article text", height=220, key="paste_text")
        submitted = st.form_submit_button("Preview events", key="paste_preview")
    if submitted:
        st.session_state["paste_submitted"] = True
    text = (st.session_state.get("paste_text") or "").replace("\r\n", "\n")
    if not st.session_state.get("paste_submitted"):
        return []
    if not text.strip():
        st.warning("Paste the article text first.")
        return []
    title = st.session_state.get("paste_title") or text.strip().splitlines()[0][:200]
    published = st.session_state.get("paste_date")
    return [Article(article_id=stable_id("paste", title, text, published), text=text, title=title,
                    source=st.session_state.get("paste_source") or "", url=st.session_state.get("paste_url") or "",
                    published=published)]


@st.cache_data(show_spinner="Extracting events...", max_entries=32)
def extract_cached(article: Article, user_version: float):
    return data.get_parser(user_version).extract(article)


def text_spans(article: Article, result) -> list[mapping.Span]:
    from geo.dates import find_dates
    from geo.extract import find_triggers

    spans: list[mapping.Span] = []
    for m in result.mentions:
        p = m.place
        spans.append(mapping.Span(m.start, m.end, "place", f"{p.name} ({p.kind}, {p.admin1 or p.country_code})" if p else m.text, 3))
    for m in result.unresolved:
        spans.append(mapping.Span(m.start, m.end, "unresolved", "not in the gazetteer", 3))
    try:
        place_spans = [(m.start, m.end) for m in (*result.mentions, *result.unresolved)]
        for t in find_triggers(article.text, place_spans):
            spans.append(mapping.Span(t.start, t.end, "trigger", f"{t.trigger.event_type}: {t.trigger.sub_event_type}", 2))
        for d in find_dates(article.text, article.published):
            spans.append(mapping.Span(d.start, d.end, "date", d.date.isoformat(), 2))
    except Exception as exc:  # noqa: BLE001 - highlights are a nicety
        log.info("no trigger/date highlights: %s", exc)
    for e in result.events:
        if e.sentence_start is not None and e.sentence_end is not None:
            spans.append(mapping.Span(e.sentence_start, e.sentence_end, "sentence", e.event_type, 0))
    return spans


def preview(location: str, i: int, article: Article) -> None:
    uv = data.user_gazetteer_version()
    try:
        result = extract_cached(article, uv)
    except GeoError as exc:
        st.error(f"{md(article.title)}: {md(exc)}")
        return
    st.divider()
    st.subheader(md(article.title or article.article_id))
    st.caption(f"{article.published.isoformat() if article.published else 'no date'} \u00b7 "
               f"{md(article.source or 'no source')} \u00b7 {len(result.events)} events, "
               f"{len(result.unresolved)} unknown place names")
    st.markdown(mapping.HIGHLIGHT_CSS, unsafe_allow_html=True)
    st.markdown(LEGEND_HTML, unsafe_allow_html=True)
    with st.container(height=320):
        st.markdown(html_block(mapping.highlight_spans(article.text, text_spans(article, result))), unsafe_allow_html=True)
    accepted: list[Any] = []
    rejected: list[Any] = []
    problems: list[str] = []
    if result.events:
        accepted, rejected, problems = review_table(i, article, result.events,
                                                    rejected_before(location, article, result.events))
    else:
        st.caption("No events found.")
    if result.unresolved:
        st.markdown("**Unknown place names** \u2014 pick the right place or give coordinates; the choice is "
                    "saved in your gazetteer.")
        seen: set[str] = set()
        for m in result.unresolved:
            if m.text.lower() not in seen:
                seen.add(m.text.lower())
                correction_row(m.text, article.article_id)
    storing.store_button(location, i, article, accepted, rejected, problems, has_events=bool(result.events))


def _geocoder(name: str):
    from geo.gazetteer import LocalGeocoder

    loc = LocalGeocoder(data.get_parser(data.user_gazetteer_version()).gazetteer).geocode(name)
    if loc is None:
        return None
    return loc.latitude, loc.longitude, loc.raw.get("admin1") or "", int(loc.raw.get("geo_precision") or 1)


def rejected_before(location: str, article: Article, events) -> frozenset[str]:
    """The ids among ``events`` that an analyst rejected or deleted before (an article stored
    already): the review table starts them unticked."""
    store = data.get_store(location)
    if store.get_article(article.article_id) is None:
        return frozenset()
    p = storing.plan(store, article, events)
    return frozenset(getattr(p, "suppressed", ()))


def review_table(i: int, article: Article, events, before: frozenset[str] = frozenset()
                 ) -> tuple[list[Any], list[Any], list[str]]:
    """The editable table; returns the accepted (edited) events, the rejected ones and the problems.
    ``before``: ids rejected or deleted by an analyst before (they start unticked)."""
    import pandas as pd

    from geo.models import EVENT_TYPES, SYRIA_GOVERNORATES

    frame = review.review_frame(events, before)
    ident = hashlib.sha1("|".join(e.event_id + str(e.latitude) for e in events).encode()).hexdigest()[:10]
    st.markdown("**Events found** \u2014 untick to reject, edit any cell; a new place name is looked up "
                "in the gazetteer (or give its coordinates).")
    edited = st.data_editor(
        frame, key=f"review_{i}_{ident}", hide_index=True, width="stretch", num_rows="fixed",
        column_config={
            "keep": st.column_config.CheckboxColumn("Keep", default=True),
            "event_type": st.column_config.SelectboxColumn("Type", options=list(EVENT_TYPES), required=True),
            "sub_event_type": st.column_config.SelectboxColumn(
                "Sub-type", options=list(dict.fromkeys(s for v in EVENT_TYPES.values() for s in v)), required=True),
            "actor1": st.column_config.TextColumn("Actor 1"),
            "actor2": st.column_config.TextColumn("Actor 2"),
            "event_date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
            "location": st.column_config.TextColumn("Place"),
            "admin1": st.column_config.SelectboxColumn("Governorate", options=list(SYRIA_GOVERNORATES)),
            "latitude": st.column_config.NumberColumn("Lat", format="%.4f", min_value=-90, max_value=90),
            "longitude": st.column_config.NumberColumn("Lon", format="%.4f", min_value=-180, max_value=180),
            "fatalities": st.column_config.NumberColumn("Fatalities", min_value=0, step=1),
            "notes": st.column_config.TextColumn("Notes", width="large"),
        },
    )
    kept, rejected, problems = review.reviewed_events(events, pd.DataFrame(edited), _geocoder, before)
    originals = {e.event_id: (n, e) for n, e in enumerate(events, start=1)}
    edits = []
    for k in kept:
        n, e = originals[k.event_id]
        fields = [f for f in review.EDITED if f != "keep" and getattr(e, f) != getattr(k, f)]
        if fields:
            edits.append(f"event {n}: {', '.join(fields)}")
    st.caption(f"{len(kept)} accepted ({len(edits)} edited), {len(rejected)} rejected."
               + (f" Edited: {'; '.join(edits)}." if edits else "")
               + (f" {len(before)} start unticked: an analyst rejected or deleted them before (tick one to "
                  "store it after all)." if before else ""))
    for p in problems:
        st.warning(md(p))
    return kept, rejected, problems


def _save_correction(name: str, key: str, article_id: str) -> None:
    from geo.gazetteer import add_user_place

    choice = st.session_state.get(key)
    try:
        if choice and choice.get("manual"):
            lat, lon = st.session_state.get(f"{key}_lat"), st.session_state.get(f"{key}_lon")
            if lat is None or lon is None:
                raise ValueError("give both latitude and longitude")
            kind = "populated_place"
        elif choice:
            lat, lon, kind = choice["lat"], choice["lon"], choice["kind"]
        else:
            return
        place = add_user_place(name, float(lat), float(lon), kind=kind, note=f"dashboard, article {article_id}")
    except (GeoError, ValueError, TypeError) as exc:
        st.session_state["_ingest_msg"] = ("error", f"Could not save {md(name)}: {md(exc)}")
        return
    extract_cached.clear()
    for suffix in ("", "_lat", "_lon"):  # the next row starts empty, not with this row's values
        st.session_state.pop(key + suffix, None)
    st.session_state["_ingest_msg"] = (
        "success",
        (f"Saved {md(place.name)} at {place.latitude:.4f}, {place.longitude:.4f} "
         f"({md(place.admin1 or place.country_code)}) in the user gazetteer; the events below use it now."))


def correction_row(name: str, article_id: str) -> None:
    """One unknown name: gazetteer candidates or typed coordinates (which start EMPTY: a default
    like 35.0/38.0 is a point in the desert). Keys come from the article and the name, so a row
    never inherits another row's values when the list changes."""
    from geo.gazetteer import LocalGeocoder

    key = "fix_" + hashlib.sha1(f"{article_id}\x00{name.lower()}".encode()).hexdigest()[:12]
    try:
        cands = LocalGeocoder(data.get_parser(data.user_gazetteer_version()).gazetteer).geocode(
            name, exactly_one=False, limit=8) or []
    except GeoError:
        cands = []
    options: list[dict] = [
        {"label": f"{c.address} \u2014 {c.raw.get('kind')}, {c.latitude:.4f}, {c.longitude:.4f}",
         "lat": c.latitude, "lon": c.longitude, "kind": c.raw.get("kind") or "populated_place"}
        for c in cands
    ]
    options.append({"label": "Enter coordinates\u2026", "manual": True})
    c1, c2, c3 = st.columns([2, 3, 1])
    c1.text(name)
    c2.selectbox("Place", options, key=key, format_func=lambda o: o["label"], label_visibility="collapsed")
    choice = st.session_state.get(key) or options[0]
    if choice.get("manual"):
        d1, d2 = c2.columns(2)
        d1.number_input("Latitude", min_value=-90.0, max_value=90.0, value=None, format="%.4f", key=f"{key}_lat",
                        placeholder="latitude")
        d2.number_input("Longitude", min_value=-180.0, max_value=180.0, value=None, format="%.4f", key=f"{key}_lon",
                        placeholder="longitude")
    c3.button("Save place", key=f"{key}_save", on_click=_save_correction, args=(name, key, article_id))
