"""Writing an article's events from the dashboard, through the store API. A write that would
change or remove stored events says what it will change and asks first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from dashboard import data
from dashboard.text import md
from geo.errors import GeoError
from geo.models import Article, Event
from geo.store import EventFilter
from geo.webmap import layers as mapping


def plan(store, article: Article, events: Sequence[Event], rejected: Sequence[Event] = ()) -> Any:
    """What replacing the article's stored events with ``events`` (``rejected`` left out for
    good) will change: the store's ReplacePlan; a plain dict from stores without the editing API."""
    if data.has_api(store, "plan_replace"):
        return store.plan_replace(article.article_id, list(events), rejected=list(rejected))
    stored = store.count(EventFilter(article_id=article.article_id))
    return {"removes": stored, "adds": len(events)}


def describe(p: Any) -> str:
    if hasattr(p, "describe"):
        return md(p.describe())
    return ", ".join(f"{md(k)} {md(v)} events" for k, v in p.items())


def removes_anything(p: Any) -> bool:
    if hasattr(p, "destructive"):
        return bool(p.destructive)
    return bool(p.get("removes"))


def write(store, article: Article, events: Sequence[Event], rejected: Sequence[Event] = ()) -> str:
    """Store the article with exactly these events (one transaction with the store's
    ``replace_article``, which also records the ``rejected`` ones)."""
    if data.has_api(store, "replace_article"):
        return str(store.replace_article(article, list(events), rejected=list(rejected)))
    outcome = str(store.add_article(article, list(events)))
    if outcome == "unchanged":  # same text, other events (a correction or a review): replace
        store.delete_article(article.article_id)
        store.add_article(article, list(events))
        outcome = "replaced"
    return outcome


def store_button(location: str, i: int, article: Article, events: Sequence[Event], rejected: Sequence[Event],
                 problems: Sequence[str], *, has_events: bool) -> None:
    store = data.get_store(location)
    stored = store.get_article(article.article_id)
    label = "Add to store" if stored is None else "Update in store"
    pending_key = f"_confirm_add_{article.article_id}"
    disabled = bool(problems) or (not events and stored is None)
    if st.button(label, key=f"add_{i}", type="primary", disabled=disabled):
        p = plan(store, article, events, rejected) if stored is not None else {}
        if stored is not None and removes_anything(p):
            st.session_state[pending_key] = True
        else:
            _do_write(store, article, events, rejected)
    if st.session_state.get(pending_key):
        p = plan(store, article, events, rejected)
        st.warning(f"This article is already in the store. Storing it again will change: {describe(p)}.")
        c1, c2 = st.columns(2)
        if c1.button("Yes, update the store", key=f"add_{i}_confirm", type="primary"):
            st.session_state.pop(pending_key, None)
            _do_write(store, article, events, rejected)
        if c2.button("Cancel", key=f"add_{i}_cancel"):
            st.session_state.pop(pending_key, None)
            st.rerun()
    if problems:
        st.caption("Fix the rows above first.")


def _do_write(store, article: Article, events: Sequence[Event], rejected: Sequence[Event]) -> None:
    try:
        outcome = write(store, article, events, rejected)
    except GeoError as exc:
        st.error(f"Could not store the article: {md(exc)}")
        return
    data.clear_data_caches()
    kept_out = f" ({len(rejected)} rejected: no re-extraction brings them back)" if rejected else ""
    st.success(f"{md(outcome)}: {len(events)} events of \u201c{md(article.title)}\u201d{kept_out}. "
               f"[Open the article]({mapping.article_href(article.article_id)})")
