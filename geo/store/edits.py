"""Review and editing on the store (issue 13): edit, delete, merge, replace - each one
transaction that also writes the change to the history table, so that every change can be
listed (``history``) and undone (``undo``).

A history row is one event's part of a change: ``before``/``after`` hold the event's whole
record as JSON (None on the side where the event did not exist); rows of one user action share
a ``group_id`` (the first row's ``change_id``), and undo reverts a whole group. Undo refuses
when an event has changed again since (undo the later change first), so it never silently
discards work. Edited and merged events are marked ``reviewed``: a re-extraction of their
article keeps them as they are, and does not bring back events an analyst deleted.

Written once for both stores: the mixin uses :class:`geo.store.core.SqlEventStore`'s hooks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from geo.dates import parse_date
from geo.errors import StoreError, ValidationError
from geo.models import (
    ANALYST_REMOVALS,
    EVENT_FIELDS,
    Article,
    Change,
    Event,
    ReplacePlan,
)
from geo.store.base import IngestOutcome, parse_timestamp

if TYPE_CHECKING:
    from geo.store.connections import Tx

HISTORY_COLUMNS = ("change_id", "group_id", "changed_at", "action", "event_id", "article_id", "before_json",
                   "after_json", "note", "undone_by")
_FIXED = frozenset({"event_id", "article_id"})
Read = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]
Entry = tuple[str, Event | None, Event | None]  # (action, before, after)


def event_record(event: Event) -> dict[str, Any]:
    """The event's fields as JSON-safe values (the form kept in the history)."""
    record = event.to_record()
    if record["event_date"] is not None:
        record["event_date"] = record["event_date"].isoformat()
    return record


def _json(event: Event | None) -> str | None:
    return None if event is None else json.dumps(event_record(event), ensure_ascii=False)


def _changed(event: Event, changes: dict[str, object]) -> Event:
    """``event`` with ``changes`` applied, validated by Event itself, and marked reviewed."""
    unknown = sorted(set(changes) - set(EVENT_FIELDS))
    if unknown:
        raise ValidationError(f"unknown event field(s): {', '.join(unknown)}")
    fixed = [k for k in _FIXED & set(changes) if changes[k] != getattr(event, k)]
    if fixed:
        raise ValidationError(f"{fixed[0]} cannot be changed (delete the event and add another)")
    values = dict(changes)
    if "event_date" in values:
        values["event_date"] = parse_date(values["event_date"], what="event_date")
        # A date set or cleared brings its precision along unless the caller gave one.
        if "time_precision" not in values:
            if values["event_date"] is None:
                values["time_precision"] = None
            elif event.time_precision is None:
                values["time_precision"] = 1
    values["reviewed"] = True
    return dataclasses.replace(event, **values)  # type: ignore[arg-type]


def tx_reader(tx: Tx) -> Read:
    """A :data:`Read` inside a transaction."""
    return lambda sql, params: tx.execute(sql, params).fetchall()


def _of_article(article_id: str, events: Iterable[Event]) -> Iterable[Event]:
    """``events``, each checked to belong to the article being stored."""
    for event in events:
        if event.article_id != article_id:
            raise StoreError(f"event {event.event_id} names article {event.article_id!r}, "
                             f"not the article being stored ({article_id!r})")
        yield event


def _rejected_ids(article_id: str, accepted: Iterable[Event], rejected: Iterable[Event]) -> set[str]:
    """The ids of the rejected events, checked: of this article, and none also accepted."""
    refused = {e.event_id for e in _of_article(article_id, rejected)}
    both = sorted(refused.intersection(e.event_id for e in accepted))
    if both:
        raise ValidationError(f"event {both[0]} is both accepted and rejected")
    return refused


class EditsMixin:
    """The edit API of :class:`geo.store.base.EventStore`, over the SQL core's hooks."""

    # Provided by SqlEventStore (declared for readers and type checkers).
    _t_events: str
    _t_articles: str
    _t_history: str
    _collision_error: Callable[..., StoreError]
    _write: Callable[..., Any]
    _lock_articles: Callable[..., None]
    _fetch: Callable[..., list[tuple[Any, ...]]]
    _insert_rows: Callable[..., int]
    _ts_param: Callable[[dt.datetime | None], Any]
    _event_from_row: Callable[[Sequence[Any]], Event]
    _shift_event_count: Callable[..., None]
    _upsert_article: Callable[..., None]

    # -- the history table ---------------------------------------------------------------

    def _events_in_tx(self, tx: Tx, event_ids: Sequence[str]) -> dict[str, Event]:
        """The stored events among ``event_ids``, their articles locked for this transaction."""
        out: dict[str, Event] = {}
        for attempt in range(2):  # read, lock the articles, read again under the lock
            out = {}
            for start in range(0, len(event_ids), 500):
                part = list(event_ids[start:start + 500])
                marks = ", ".join("?" for _ in part)
                for row in tx.execute(f"SELECT {', '.join(EVENT_FIELDS)} FROM {self._t_events} "
                                      f"WHERE event_id IN ({marks})", part).fetchall():
                    event = self._event_from_row(row)
                    out[event.event_id] = event
            if attempt == 0:
                self._lock_articles(tx, sorted({e.article_id for e in out.values()}))
        return out

    def _record(self, tx: Tx, entries: Sequence[Entry], note: str) -> int:
        """Write history rows for ``entries`` as one group; the group_id."""
        now = self._ts_param(None)
        group = 0
        for action, before, after in entries:
            event = after or before
            assert event is not None
            row = tx.execute(
                f"INSERT INTO {self._t_history} (group_id, changed_at, action, event_id, article_id, "
                "before_json, after_json, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING change_id",
                (group, now, action, event.event_id, event.article_id, _json(before), _json(after), note),
            ).fetchone()
            if not group:
                group = int(row[0])
                tx.execute(f"UPDATE {self._t_history} SET group_id = ? WHERE change_id = ?", (group, group))
        return group

    def _apply(self, tx: Tx, entries: Sequence[Entry]) -> None:
        """Make the store hold each entry's ``after`` instead of its ``before``."""
        gone = [b.event_id for _, b, _ in entries if b is not None]
        for start in range(0, len(gone), 500):
            part = gone[start:start + 500]
            tx.execute(f"DELETE FROM {self._t_events} WHERE event_id IN ({', '.join('?' for _ in part)})", part)
        new = [a for _, _, a in entries if a is not None]
        if new and self._insert_rows(tx, new) != len(new):
            raise self._collision_error(tx, new[0].article_id, [e.event_id for e in new])
        shift: Counter[str] = Counter()
        for _, before, after in entries:
            if before is not None:
                shift[before.article_id] -= 1
            if after is not None:
                shift[after.article_id] += 1
        for article_id, delta in sorted(shift.items()):
            self._shift_event_count(tx, article_id, delta)

    def _change(self, row: Sequence[Any]) -> Change:
        cid, group, at, action, eid, aid, before, after, note, undone_by = row
        return Change(int(cid), int(group), parse_timestamp(at) or dt.datetime.min, action, eid, aid,
                      json.loads(before) if before else None, json.loads(after) if after else None,
                      note or "", None if undone_by is None else int(undone_by))

    # -- edits -------------------------------------------------------------------------

    def update_event(self, event_id: str, changes: dict[str, object], *, note: str = "") -> Event:
        with self._write(f"edit event {event_id}") as tx:
            current = self._events_in_tx(tx, [event_id]).get(event_id)
            if current is None:
                raise StoreError(f"no event {event_id!r} in the store")
            new = _changed(current, changes)
            entries: list[Entry] = [("edit", current, new)]
            self._apply(tx, entries)
            self._record(tx, entries, note)
        return new

    def delete_events(self, event_ids: Iterable[str], *, note: str = "") -> int:
        ids = list(dict.fromkeys(str(i) for i in event_ids))
        with self._write("delete events") as tx:
            found = self._events_in_tx(tx, ids)
            entries: list[Entry] = [("delete", found[i], None) for i in ids if i in found]
            if entries:
                self._apply(tx, entries)
                self._record(tx, entries, note)
        return len(entries)

    def merge_events(self, keep_id: str, other_ids: Iterable[str], *, note: str = "") -> Event:
        others = [i for i in dict.fromkeys(str(i) for i in other_ids) if i != keep_id]
        if not others:
            raise ValidationError("merge needs at least one other event than the one kept")
        with self._write(f"merge into event {keep_id}") as tx:
            found = self._events_in_tx(tx, [keep_id, *others])
            missing = [i for i in (keep_id, *others) if i not in found]
            if missing:
                raise StoreError(f"no event {missing[0]!r} in the store")
            keep = found[keep_id]
            # Duplicate reports of one event: the largest known toll, never the sum.
            known = [found[i].fatalities for i in (keep_id, *others) if found[i].fatalities is not None]
            merged = dataclasses.replace(keep, reviewed=True, fatalities=max(known) if known else None)
            entries: list[Entry] = [("edit", keep, merged), *(("merge", found[i], None) for i in others)]
            self._apply(tx, entries)
            self._record(tx, entries, note)
        return merged

    def history(self, *, event_id: str | None = None, limit: int = 100) -> list[Change]:
        if limit < 0:
            raise ValidationError("limit must not be negative")
        where, params = ("WHERE event_id = ?", [event_id]) if event_id is not None else ("", [])
        rows = self._fetch(f"SELECT {', '.join(HISTORY_COLUMNS)} FROM {self._t_history} {where} "
                           "ORDER BY change_id DESC LIMIT ?", [*params, limit], "read the history")
        return [self._change(r) for r in rows]

    def undo(self, change_id: int | None = None) -> Change:
        with self._write("undo a change") as tx:
            if change_id is None:
                row = tx.execute(f"SELECT group_id FROM {self._t_history} WHERE undone_by IS NULL "
                                 "AND action <> 'undo' ORDER BY change_id DESC LIMIT 1").fetchone()
                if row is None:
                    raise StoreError("nothing to undo")
            else:
                row = tx.execute(f"SELECT group_id FROM {self._t_history} WHERE change_id = ?",
                                 (int(change_id),)).fetchone()
                if row is None:
                    raise StoreError(f"no change {change_id} in the history")
            rows = tx.execute(f"SELECT {', '.join(HISTORY_COLUMNS)} FROM {self._t_history} WHERE group_id = ? "
                              "ORDER BY change_id", (int(row[0]),)).fetchall()
            changes = [self._change(r) for r in rows]
            if changes[0].undone_by is not None:
                raise StoreError(f"change {changes[0].change_id} was already undone (by {changes[0].undone_by})")
            entries = self._undo_entries(tx, changes)
            self._apply(tx, entries)
            group = self._record(tx, entries, f"undo of change {changes[0].change_id}")
            tx.execute(f"UPDATE {self._t_history} SET undone_by = ? WHERE group_id = ?", (group, changes[0].group_id))
            first = tx.execute(f"SELECT {', '.join(HISTORY_COLUMNS)} FROM {self._t_history} WHERE change_id = ?",
                               (group,)).fetchone()
        return self._change(first)

    def _undo_entries(self, tx: Tx, changes: Sequence[Change]) -> list[Entry]:
        """(undo, now, before) per change, after checking nothing changed since."""
        self._lock_articles(tx, {c.article_id for c in changes})  # also those of deleted events
        current = self._events_in_tx(tx, [c.event_id for c in changes])
        articles = {c.article_id for c in changes if c.before is not None}
        marks = ", ".join("?" for _ in articles)
        present = {r[0] for r in tx.execute(
            f"SELECT article_id FROM {self._t_articles} WHERE article_id IN ({marks})",
            sorted(articles)).fetchall()} if articles else set()
        entries: list[Entry] = []
        for change in changes:
            now = current.get(change.event_id)
            if (None if now is None else event_record(now)) != change.after:
                raise StoreError(f"event {change.event_id} has changed since change {change.change_id}; "
                                 "undo the later change first")
            if change.before is not None and change.article_id not in present:
                raise StoreError(f"cannot restore event {change.event_id}: its article {change.article_id} "
                                 "was deleted")
            before = None if change.before is None else Event.from_record(change.before)
            entries.append(("undo", now, before))
        return entries

    def import_history(self, changes: Sequence[Change]) -> int:
        """Append another store's history (``copy_store``), oldest first, with new change ids
        (groups and undo links kept). Only into a store without history of its own, so that a
        re-run copy adds nothing; the number of rows written."""
        with self._write("copy the history") as tx:
            if tx.execute(f"SELECT count(*) FROM {self._t_history}").fetchone()[0]:
                return 0
            new_ids: dict[int, int] = {}
            for c in sorted(changes, key=lambda c: c.change_id):
                row = tx.execute(
                    f"INSERT INTO {self._t_history} (group_id, changed_at, action, event_id, article_id, "
                    "before_json, after_json, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING change_id",
                    (new_ids.get(c.group_id, 0), self._ts_param(c.changed_at), c.action, c.event_id, c.article_id,
                     None if c.before is None else json.dumps(c.before, ensure_ascii=False),
                     None if c.after is None else json.dumps(c.after, ensure_ascii=False), c.note),
                ).fetchone()
                new_ids[c.change_id] = int(row[0])
                if c.group_id == c.change_id:
                    tx.execute(f"UPDATE {self._t_history} SET group_id = ? WHERE change_id = ?", (row[0], row[0]))
            for c in changes:
                if c.undone_by is not None and c.undone_by in new_ids:
                    tx.execute(f"UPDATE {self._t_history} SET undone_by = ? WHERE change_id = ?",
                               (new_ids[c.undone_by], new_ids[c.change_id]))
        return len(new_ids)

    # -- replacing an article's events ---------------------------------------------------

    def _analyst_removed_ids(self, read: Read, article_id: str) -> set[str]:
        """The article's events that an analyst deleted, merged away or rejected (not undone)."""
        marks = ", ".join("?" for _ in ANALYST_REMOVALS)
        return {r[0] for r in read(
            f"SELECT event_id FROM {self._t_history} WHERE article_id = ? AND action IN ({marks}) "
            "AND after_json IS NULL AND undone_by IS NULL", (article_id, *ANALYST_REMOVALS))}

    def _plan(self, read: Read, article_id: str, events: Sequence[Event],
              rejected: Sequence[Event] = ()) -> tuple[ReplacePlan, dict[str, Event]]:
        rows = read(f"SELECT {', '.join(EVENT_FIELDS)} FROM {self._t_events} WHERE article_id = ?", (article_id,))
        stored = {e.event_id: e for e in map(self._event_from_row, rows)}
        deleted = self._analyst_removed_ids(read, article_id)
        refused = _rejected_ids(article_id, events, rejected)
        add, update, keep, protected, suppressed = [], [], [], [], []
        seen = set(refused)
        for event in _of_article(article_id, events):
            seen.add(event.event_id)
            old = stored.get(event.event_id)
            if old is not None and old.reviewed:
                protected.append(event.event_id)
            elif event.event_id in deleted and not event.reviewed:
                # (an event the analyst accepts again in review comes marked reviewed: that later
                # decision wins over the earlier removal; an extractor's event never does)
                suppressed.append(event.event_id)
            elif old is None:
                add.append(event.event_id)
            else:
                (keep if old == event else update).append(event.event_id)
        protected += [i for i, e in stored.items() if e.reviewed and i not in seen]
        # A rejected event goes even when reviewed: the analyst says so now.
        remove = [i for i, e in stored.items() if (not e.reviewed and i not in seen) or i in refused]
        newly_rejected = sorted(i for i in refused if i in stored or i not in deleted)
        plan = ReplacePlan(article_id, tuple(add), tuple(remove), tuple(update), tuple(keep),
                           tuple(protected), tuple(suppressed), tuple(newly_rejected))
        return plan, stored

    def _reject(self, tx: Tx, read: Read, article_id: str, rejected: Sequence[Event]) -> int:
        """Record the analyst's rejections as one change: a stored rejected event is removed, one
        never stored is only recorded (so that no re-extraction brings it back); an event already
        rejected or deleted is left alone. The number of events newly rejected."""
        candidates = list({e.event_id: e for e in _of_article(article_id, rejected)}.values())
        if not candidates:
            return 0
        removed = self._analyst_removed_ids(read, article_id)
        stored = self._events_in_tx(tx, [e.event_id for e in candidates])
        clash = next((i for i, e in stored.items() if e.article_id != article_id), None)
        if clash is not None:
            raise StoreError(f"event {clash} belongs to article {stored[clash].article_id!r}, not {article_id!r}")
        # (stored: removed now, even if it was rejected once and accepted again since)
        entries: list[Entry] = [("reject", stored.get(e.event_id, e), None) for e in candidates
                                if e.event_id in stored or e.event_id not in removed]
        if entries:
            self._apply(tx, [entry for entry in entries if entry[1].event_id in stored])  # type: ignore[union-attr]
            self._record(tx, entries, "rejected in review")
        return len(entries)

    def plan_replace(self, article_id: str, events: Iterable[Event], *,
                     rejected: Iterable[Event] = ()) -> ReplacePlan:
        return self._plan(lambda sql, params: self._fetch(sql, params), article_id, list(events), list(rejected))[0]

    def replace_article(self, article: Article, events: Iterable[Event], *,
                        rejected: Iterable[Event] = ()) -> IngestOutcome:
        aid = article.article_id
        listed = list(events)
        new = {e.event_id: e for e in listed}
        if len(new) != len(listed):
            repeated = next(i for i, n in Counter(e.event_id for e in listed).items() if n > 1)
            raise StoreError(f"article {aid}: event_id {repeated!r} occurs more than once")
        refused = list(rejected)
        _rejected_ids(aid, listed, refused)  # (checked before the transaction)
        with self._write(f"replace article {aid}") as tx:
            self._lock_articles(tx, [aid])
            row = tx.execute(f"SELECT content_hash, title, source, url FROM {self._t_articles} "
                             "WHERE article_id = ?", (aid,)).fetchone()
            read = tx_reader(tx)
            # The rejections first, as a change of their own: undoing the storing later does not
            # bring a rejected event in, and undoing a rejection stores that event after all.
            rejections = self._reject(tx, read, aid, refused)
            plan, stored = self._plan(read, aid, list(new.values()))
            same_article = row is not None and tuple(row) == (article.content_hash, article.title, article.source,
                                                              article.url)
            if same_article and not (plan.add or plan.remove or plan.update):
                return IngestOutcome.REPLACED if rejections else IngestOutcome.UNCHANGED
            entries: list[Entry] = [
                *(("remove", stored[i], None) for i in plan.remove),
                *(("update", stored[i], new[i]) for i in plan.update),
                *(("add", None, new[i]) for i in plan.add),
            ]
            if row is None:  # the article row first: _apply counts events against it
                self._upsert_article(tx, article, 0)
            self._apply(tx, entries)
            count = tx.execute(f"SELECT count(*) FROM {self._t_events} WHERE article_id = ?", (aid,)).fetchone()[0]
            self._upsert_article(tx, article, int(count))
            if entries:
                self._record(tx, entries, f"replace article {aid}")
        return IngestOutcome.ADDED if row is None else IngestOutcome.REPLACED
