"""The Article page (``?view=article&article=<id>``): the text with its evidence highlighted, its
events on a small map, and "Extract again" - offered only for articles with text, and only after
saying what it will change."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import data, state, storing
from dashboard.ingest_page import extract_cached
from dashboard.text import html_block, md, md_link
from geo.errors import GeoError
from geo.models import Article
from geo.store import EventFilter
from geo.webmap import layers as mapping

MAP_OPTIONS = mapping.MapOptions()


def render() -> None:
    location = st.session_state["store_location"]
    store = data.get_store(location)
    article_id = st.session_state.get("article_id") or st.query_params.get("article") or ""
    if not article_id:
        arts = store.articles()
        if not arts:
            st.info("No articles in the store yet.")
            return
        labels = {a.article_id: f"{a.published or '----------'} \u00b7 {a.title or a.article_id}" for a in arts}
        article_id = st.selectbox("Article", list(labels), format_func=labels.get, key="article_pick")
    st.session_state["article_id"] = article_id
    state.write_url({"view": "article", "article": article_id})
    article = store.get_article(article_id)
    if article is None:
        st.error(f"No article with id {md(article_id)} in the store.")
        return
    st.title(md(article.title or article.article_id))
    meta = [article.published.isoformat() if article.published else "no date", md(article.source or "no source")]
    if article.url:
        meta.append(md_link("original", article.url))
    st.caption(" \u00b7 ".join(meta))
    df = pd.DataFrame(store.query(EventFilter(article_id=article_id)).drop(columns="geometry", errors="ignore"))
    reextract(location, article, df)
    body(article, df)


def extractable(article: Article, df: pd.DataFrame) -> bool:
    """Articles with text whose events came from that text. An imported dataset (ACLED/UCDP) is
    stored as one "article" whose text is a file description and whose events carry no sentence
    of it: re-extracting it would replace thousands of events with none."""
    if not (article.text or "").strip():
        return False
    if df.empty:
        return True
    return bool(df["sentence_start"].notna().any())


def reextract(location: str, article: Article, df: pd.DataFrame) -> None:
    if not extractable(article, df):
        st.caption("Imported from a dataset: its events are not extracted from text, so there is nothing "
                   "to extract again.")
        return
    key = f"_reextract_{article.article_id}"
    if st.button("Extract again (with your gazetteer corrections)\u2026", key="article_reextract"):
        st.session_state[key] = True
    if not st.session_state.get(key):
        return
    store = data.get_store(location)
    try:
        result = extract_cached(article, data.user_gazetteer_version())
        p = storing.plan(store, article, result.events)
    except GeoError as exc:
        st.error(f"Could not extract the article again: {md(exc)}")
        return
    st.warning(f"Extracting again will change the stored events of this article: {storing.describe(p)}. "
               "Reviewed events are kept when the store supports it.")
    c1, c2 = st.columns(2)
    if c1.button("Yes, replace the events", key="article_reextract_confirm", type="primary"):
        st.session_state.pop(key, None)
        try:
            outcome = storing.write(store, article, result.events)
        except GeoError as exc:
            st.error(f"Could not store the events: {md(exc)}")
            return
        data.clear_data_caches()
        st.success(f"{md(outcome)}: {len(result.events)} events.")
    if c2.button("Cancel", key="article_reextract_cancel"):
        st.session_state.pop(key, None)
        st.rerun()


def body(article: Article, df: pd.DataFrame) -> None:
    spans: list[mapping.Span] = []
    for k, r in enumerate(df.to_dict("records"), start=1):
        ps, pe = r.get("place_start"), r.get("place_end")
        if pd.notna(ps) and pd.notna(pe):
            spans.append(mapping.Span(int(ps), int(pe), "place", f"{r['location']} (event {k})", 3))
        ss, se = r.get("sentence_start"), r.get("sentence_end")
        if pd.notna(ss) and pd.notna(se):
            spans.append(mapping.Span(int(ss), int(se), "sentence", f"event {k}: {r['event_type']}", 0))
    st.markdown(mapping.HIGHLIGHT_CSS, unsafe_allow_html=True)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.markdown(html_block(mapping.highlight_spans(article.text, spans)), unsafe_allow_html=True)
    with right:
        st.markdown(f"**{len(df)} events**")
        if len(df):
            basemap = data.get_basemap()
            groups, _ = mapping.build_event_layers(df, basemap, options=MAP_OPTIONS, show_choropleth=False)
            base = mapping.build_base_map(basemap, height=380)
            st_folium(base, key="article_map", height=380, use_container_width=True, returned_objects=[],
                      feature_group_to_add=groups)
            st.dataframe(events_table(df), hide_index=True, width="stretch")


def events_table(df: pd.DataFrame) -> pd.DataFrame:
    cols = [c for c in ("event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
                        "location", "admin1", "geo_precision", "latitude", "longitude", "fatalities",
                        "confidence", "event_id") if c in df.columns]
    return df[cols]

