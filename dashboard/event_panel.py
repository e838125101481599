"""One stored event beside the map: its full record, evidence sentence and source link, and
edit / merge / delete / undo through the store's editing API (get_event, update_event,
delete_events, merge_events, history, undo). Destructive actions say what they will change and
ask first."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.text import md, md_link
from geo.errors import GeoError
from geo.models import EVENT_TYPES, SYRIA_GOVERNORATES
from geo.webmap import layers as mapping

EDIT_API = ("get_event", "update_event", "delete_events", "merge_events", "history", "undo")
EDITABLE = ("event_type", "sub_event_type", "actor1", "actor2", "event_date", "location", "admin1",
            "latitude", "longitude", "geo_precision", "fatalities", "notes")


def as_record(ev: Any) -> dict[str, Any] | None:
    if ev is None:
        return None
    if dataclasses.is_dataclass(ev):
        rec = ev.to_record() if hasattr(ev, "to_record") else dataclasses.asdict(ev)
    else:
        rec = dict(ev)
    return {k: (None if (not isinstance(v, str) and _missing(v)) else v) for k, v in rec.items()}


def _missing(v: Any) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def load_event(location: str, event_id: str) -> dict[str, Any] | None:
    """Any stored event by id (not only the ones the map drew)."""
    store = data.get_store(location)
    if not data.has_api(store, "get_event"):
        return None
    try:
        return as_record(store.get_event(event_id))
    except GeoError:
        return None


def render(location: str, event_id: str, ev: dict[str, Any] | None) -> None:
    """The details panel of ``event_id``; ``ev``: its record (load_event), read once by the page
    for the panel and the map."""
    store = data.get_store(location)
    with st.container(border=True, key="event_panel"):
        head = st.columns([4, 1])
        head[1].button("Close", key="ev_close", on_click=_close)
        if not data.has_api(store, *EDIT_API):
            head[0].markdown(f"**Event** {md(event_id)}")
            st.caption("This store cannot show or edit single events yet (it lacks the editing API).")
            return
        if ev is None:
            head[0].markdown("**Event not found**")
            st.caption(f"No event with id {md(event_id)} in the store (deleted or merged?).")
            undo_box(location, None)
            return
        head[0].markdown(f"**{md(ev.get('event_type'))}** \u00b7 {md(ev.get('sub_event_type'))}")
        details(ev, store)
        mode = st.radio("Action", ["Details", "Edit", "Merge", "Delete", "History"], key="ev_mode",
                        horizontal=True, label_visibility="collapsed")
        if mode == "Edit":
            edit_form(location, ev)
        elif mode == "Merge":
            merge_form(location, ev)
        elif mode == "Delete":
            delete_form(location, ev)
        elif mode == "History":
            undo_box(location, event_id)


def _close() -> None:
    st.session_state["event_id"] = None
    st.session_state.pop("ev_mode", None)


def details(ev: dict[str, Any], store) -> None:
    rows = [
        ("Date", mapping.date_label(ev.get("event_date"), ev.get("time_precision"))),
        ("Place", (f"{ev.get('location') or ''}, {ev.get('admin1') or ''}"
                   f" ({mapping.GEO_PRECISION_LABELS.get(ev.get('geo_precision'), 'precision unknown')})")),
        ("Coordinates", f"{float(ev['latitude']):.4f}, {float(ev['longitude']):.4f}"),
        ("Actors", " / ".join(a for a in (ev.get("actor1"), ev.get("actor2")) if a) or "unknown"),
        ("Fatalities", "unknown" if ev.get("fatalities") is None else str(ev["fatalities"])),
        ("Source", ev.get("source") or ""),
        ("Reviewed", "yes" if ev.get("reviewed") else "no"),
        ("Event id", ev.get("event_id")),
    ]
    for extra in ("admin2", "location_detail", "interaction", "source_ref"):
        if ev.get(extra):
            rows.append((extra.replace("_", " ").capitalize(), str(ev[extra])))
    st.markdown("  \n".join(f"**{label}:** {md(value)}" for label, value in rows))
    if ev.get("notes"):
        st.markdown("**Evidence**")
        st.text(str(ev["notes"]))
    links = [f"[open the article]({mapping.article_href(ev.get('article_id'))})"]
    article = store.get_article(ev["article_id"]) if ev.get("article_id") else None
    if article is not None and article.url:
        links.append(md_link("original source", article.url))
    links.append(f"[link to this event](?event={_q(ev['event_id'])})")
    st.markdown(" \u00b7 ".join(links))


def _q(value: Any) -> str:
    from urllib.parse import quote

    return quote(str(value), safe="")


def _date(v: Any) -> dt.date | None:
    if v is None or v == "":
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v)[:10])
    except ValueError:
        return None


def edit_form(location: str, ev: dict[str, Any]) -> None:
    k = "ev_" + str(ev["event_id"])
    types = list(EVENT_TYPES)
    with st.form(f"{k}_edit", border=False):
        c1, c2 = st.columns(2)
        etype = c1.selectbox("Type", types, index=types.index(ev["event_type"]) if ev.get("event_type") in types else 0, key=f"{k}_type")
        subs = list(dict.fromkeys([s for t in types for s in EVENT_TYPES[t]]))
        sub = c2.selectbox("Sub-type", subs, index=subs.index(ev["sub_event_type"]) if ev.get("sub_event_type") in subs else 0, key=f"{k}_sub")
        a1 = c1.text_input("Actor 1", value=ev.get("actor1") or "", key=f"{k}_a1")
        a2 = c2.text_input("Actor 2", value=ev.get("actor2") or "", key=f"{k}_a2")
        date = c1.date_input("Date", value=_date(ev.get("event_date")), format="YYYY-MM-DD", key=f"{k}_date",
                             min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
        fat = c2.number_input("Fatalities", min_value=0, value=ev.get("fatalities"), step=1, key=f"{k}_fat")
        place = c1.text_input("Place", value=ev.get("location") or "", key=f"{k}_loc")
        govs = list(SYRIA_GOVERNORATES)
        gov = c2.selectbox("Governorate", govs, index=govs.index(ev["admin1"]) if ev.get("admin1") in govs else None, key=f"{k}_gov")
        lat = c1.number_input("Latitude", min_value=-90.0, max_value=90.0, value=float(ev["latitude"]), format="%.5f", key=f"{k}_lat")
        lon = c2.number_input("Longitude", min_value=-180.0, max_value=180.0, value=float(ev["longitude"]), format="%.5f", key=f"{k}_lon")
        notes = st.text_area("Notes", value=ev.get("notes") or "", key=f"{k}_notes", height=90)
        st.text_input("Why (kept in the history)", key=f"{k}_why")
        del etype, sub, a1, a2, date, fat, place, gov, lat, lon, notes  # read in the callback
        # a callback, not the button's return value: a click during a rerun (the map reporting
        # its view) would otherwise be lost
        st.form_submit_button("Save changes", type="primary", on_click=_save_edit, args=(location, ev))


EDIT_KEYS = {"event_type": "type", "sub_event_type": "sub", "actor1": "a1", "actor2": "a2", "event_date": "date",
             "fatalities": "fat", "location": "loc", "admin1": "gov", "latitude": "lat", "longitude": "lon",
             "notes": "notes"}


def _save_edit(location: str, ev: dict[str, Any]) -> None:
    k = "ev_" + str(ev["event_id"])
    new = {f: st.session_state.get(f"{k}_{w}") for f, w in EDIT_KEYS.items()}
    for f in ("actor1", "actor2", "location"):
        new[f] = (new[f] or "").strip()
    new["fatalities"] = None if new["fatalities"] is None else int(new["fatalities"])
    new["admin1"] = new["admin1"] or ev.get("admin1")
    changes = {f: v for f, v in new.items() if v != (_date(ev.get(f)) if f == "event_date" else ev.get(f))}
    if not changes:
        st.session_state["_flash"] = "Nothing changed."
        return
    note = st.session_state.get(f"{k}_why") or "dashboard edit"
    apply(location, lambda s: s.update_event(ev["event_id"], changes, note=note), f"Saved: {', '.join(changes)}.")


def merge_form(location: str, ev: dict[str, Any]) -> None:
    st.caption("Merge duplicates into this event: the others are deleted, this one is kept (undoable).")
    others = st.text_input("Ids of the duplicate events (comma-separated)", key=f"ev_merge_ids_{ev['event_id']}")
    ids = [i.strip() for i in others.split(",") if i.strip() and i.strip() != ev["event_id"]]
    if not ids:
        return
    st.warning(f"This keeps {md(ev['event_id'])} and removes {len(ids)} event(s): {md(', '.join(ids))}.")
    st.button("Merge", key="ev_merge_go", type="primary", on_click=apply,
              args=(location, lambda s: s.merge_events(ev["event_id"], ids, note="dashboard merge"),
                    f"Merged {len(ids)} event(s) into this one."))


def delete_form(location: str, ev: dict[str, Any]) -> None:
    st.warning(f"This removes the event {md(ev['event_id'])} ({md(ev.get('event_type'))} at "
               f"{md(ev.get('location'))}, {md(ev.get('event_date') or 'undated')}) from the store. "
               "You can undo it from the history.")
    st.button("Delete this event", key="ev_delete_go", type="primary", on_click=apply,
              args=(location, lambda s: s.delete_events([ev["event_id"]], note="dashboard delete"), "Deleted."))


def apply(location: str, action, message: str) -> None:
    """A button's callback: one store call; the outcome is shown on the next run. The edit form's
    values are dropped so that it shows the stored event again."""
    try:
        action(data.get_store(location))
    except GeoError as exc:
        st.session_state["_flash_error"] = f"Not saved: {md(exc)}"
        return
    data.clear_data_caches()
    for key in [k for k in st.session_state if str(k).startswith("ev_") and str(k).count("_") >= 2
                and str(k).rsplit("_", 1)[-1] in set(EDIT_KEYS.values()) | {"why"}]:
        del st.session_state[key]
    st.session_state["_flash"] = message


def undo_box(location: str, event_id: str | None) -> None:
    store = data.get_store(location)
    try:
        changes = store.history(event_id=event_id, limit=20)
    except GeoError as exc:
        st.error(md(exc))
        return
    if not changes:
        st.caption("No changes recorded.")
        return
    table = pd.DataFrame([{
        "when": c.changed_at, "action": c.action, "event": c.event_id,
        "fields": ", ".join(c.changed_fields) if c.action == "edit" else "",
        "note": c.note, "undone": "yes" if c.undone_by else "",
    } for c in changes])
    st.dataframe(table, hide_index=True, width="stretch", height=180)
    last = next((c for c in changes if c.undone_by is None and c.action != "undo"), None)
    if last is None:
        return
    cid = last.change_id
    st.button(f"Undo the last change ({md(last.action)} of {md(last.event_id)})", key="ev_undo", on_click=apply,
              args=(location, lambda s: s.undo(cid), "Undone."))
