"""Review and editing on the store (issue 13), on both backends: edit, delete, merge,
history and undo; replace_article in one transaction; re-extraction keeps reviewed work."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from fixtures_store import assert_consistent, fill_sample, make_article, make_event, many_events
from geo.errors import StoreError, ValidationError
from geo.export import event_records
from geo.models import Change, ReplacePlan
from geo.store import EventFilter, EventStore, IngestOutcome


def _ids(store: EventStore, article_id: str | None = None) -> list[str]:
    return sorted(store.query(EventFilter(article_id=article_id))["event_id"])


# ---------------------------------------------------------------------------------------
# Edit
# ---------------------------------------------------------------------------------------


def test_update_event_changes_validates_marks_reviewed_and_records(sample_store: EventStore) -> None:
    before = sample_store.get_event("e1")
    assert before is not None and not before.reviewed
    after = sample_store.update_event("e1", {"actor2": "Islamic State", "fatalities": 5,
                                             "event_date": "2014-01-04"}, note="checked the source")
    assert (after.actor2, after.fatalities, after.event_date, after.reviewed) == (
        "Islamic State", 5, dt.date(2014, 1, 4), True)
    assert sample_store.get_event("e1") == after
    row = sample_store.query(EventFilter(article_id="A")).set_index("event_id").loc["e1"]
    assert row["actor2"] == "Islamic State" and bool(row["reviewed"])
    [change] = sample_store.history()
    assert isinstance(change, Change)
    assert (change.action, change.event_id, change.article_id, change.note) == ("edit", "e1", "A", "checked the source")
    assert change.before["actor2"] == "ISIL" and change.after["actor2"] == "Islamic State"
    assert set(change.changed_fields) == {"actor2", "fatalities", "event_date", "reviewed"}
    assert_consistent(sample_store, {"A": 2, "B": 2, "C": 4})


def test_moving_an_event_moves_its_point(sample_store: EventStore) -> None:
    sample_store.update_event("e1", {"latitude": 36.2021, "longitude": 37.1343, "location": "Aleppo"})
    hit = sample_store.query(EventFilter(bbox=(36.1, 37.0, 36.3, 37.2)))
    assert "e1" in set(hit["event_id"])
    geom = hit.set_index("event_id").loc["e1", "geometry"]
    assert (geom.y, geom.x) == (36.2021, 37.1343)


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"event_type": "Riot"}, ValidationError, "unknown event_type"),
        ({"sub_event_type": "Grenade"}, ValidationError, "not a sub-type"),
        ({"latitude": 123.0}, ValidationError, "latitude"),
        ({"fatalities": -1}, ValidationError, "negative"),
        ({"event_date": "yesterday"}, ValidationError, "relative"),
        ({"event_id": "other"}, ValidationError, "cannot be changed"),
        ({"article_id": "B"}, ValidationError, "cannot be changed"),
        ({"colour": "red"}, ValidationError, "unknown event field"),
    ],
)
def test_a_bad_edit_changes_nothing(sample_store: EventStore, changes: dict, error: type, message: str) -> None:
    before = sample_store.get_event("e1")
    with pytest.raises(error, match=message):
        sample_store.update_event("e1", changes)
    assert sample_store.get_event("e1") == before
    assert sample_store.history() == []


def test_editing_a_missing_event_is_a_store_error(sample_store: EventStore) -> None:
    with pytest.raises(StoreError, match="no event 'nope'"):
        sample_store.update_event("nope", {"notes": "x"})


def test_clearing_the_date_clears_its_precision(sample_store: EventStore) -> None:
    event = sample_store.update_event("e1", {"event_date": None})
    assert event.event_date is None and event.time_precision is None
    event = sample_store.update_event("e1", {"event_date": dt.date(2014, 1, 2)})
    assert event.time_precision == 1


# ---------------------------------------------------------------------------------------
# Delete, merge, undo
# ---------------------------------------------------------------------------------------


def test_delete_events_and_undo(sample_store: EventStore) -> None:
    before = {e: sample_store.get_event(e) for e in ("e1", "e5", "e6")}
    assert sample_store.delete_events(["e1", "e5", "e6", "missing"], note="duplicates") == 3
    assert sample_store.get_event("e1") is None and sample_store.count() == 5
    assert_consistent(sample_store, {"A": 1, "B": 2, "C": 2})
    rows = sample_store.history()
    assert [c.action for c in rows] == ["delete"] * 3 and len({c.group_id for c in rows}) == 1
    undo = sample_store.undo()
    assert undo.action == "undo"
    assert {e: sample_store.get_event(e) for e in before} == before
    assert_consistent(sample_store, {"A": 2, "B": 2, "C": 4})
    assert all(c.undone_by == undo.group_id for c in sample_store.history() if c.action == "delete")
    with pytest.raises(StoreError, match="nothing to undo"):
        sample_store.undo()


def test_merge_keeps_one_event_with_the_largest_toll_and_undo_restores(sample_store: EventStore) -> None:
    originals = {e: sample_store.get_event(e) for e in ("e1", "e2", "e3")}
    merged = sample_store.merge_events("e3", ["e1", "e2"], note="same clash")
    assert merged.event_id == "e3" and merged.reviewed and merged.fatalities == 12  # max(None, 3, 12)
    assert _ids(sample_store) == ["e3", "e4", "e5", "e6", "e7", "e8"]
    assert_consistent(sample_store, {"A": 0, "B": 2, "C": 4})
    assert sorted(c.action for c in sample_store.history()) == ["edit", "merge", "merge"]
    sample_store.undo()
    assert {e: sample_store.get_event(e) for e in originals} == originals
    assert_consistent(sample_store, {"A": 2, "B": 2, "C": 4})


@pytest.mark.parametrize(("keep", "others", "message"), [("e1", ["e1"], "at least one other"),
                                                          ("e1", ["zz"], "no event 'zz'")])
def test_bad_merges_change_nothing(sample_store: EventStore, keep: str, others: list[str], message: str) -> None:
    with pytest.raises((StoreError, ValidationError), match=message):
        sample_store.merge_events(keep, others)
    assert sample_store.count() == 8 and sample_store.history() == []


def test_undo_a_given_change_and_refuse_when_a_later_change_depends_on_it(sample_store: EventStore) -> None:
    first = sample_store.update_event("e1", {"notes": "first"})
    sample_store.update_event("e2", {"notes": "other event"})
    sample_store.update_event("e1", {"notes": "second"})
    first_change = sample_store.history(event_id="e1")[-1]
    assert first_change.after["notes"] == first.notes
    with pytest.raises(StoreError, match="changed since"):
        sample_store.undo(first_change.change_id)
    sample_store.undo()  # the second edit of e1
    assert sample_store.get_event("e1").notes == "first"
    sample_store.undo(first_change.change_id)
    assert sample_store.get_event("e1").notes == "Rebels seized the ISIL headquarters."
    assert sample_store.get_event("e2").notes == "other event"  # untouched by either undo
    with pytest.raises(StoreError, match="already undone"):
        sample_store.undo(first_change.change_id)
    with pytest.raises(StoreError, match="no change 999999"):
        sample_store.undo(999999)


def test_history_lists_newest_first_per_event_and_limited(sample_store: EventStore) -> None:
    for i in range(5):
        sample_store.update_event("e1" if i % 2 == 0 else "e2", {"notes": f"note {i}"})
    assert [c.after["notes"] for c in sample_store.history()] == [f"note {i}" for i in (4, 3, 2, 1, 0)]
    assert [c.after["notes"] for c in sample_store.history(event_id="e2")] == ["note 3", "note 1"]
    assert len(sample_store.history(limit=2)) == 2


# ---------------------------------------------------------------------------------------
# Re-extraction and replace
# ---------------------------------------------------------------------------------------


def test_re_extraction_keeps_reviewed_events_and_does_not_revive_deleted_ones(store: EventStore) -> None:
    events = many_events("art", 4)
    store.add_article(make_article("art", "v1"), events)
    store.update_event("art-0", {"actor1": "Analyst's choice"})
    store.delete_events(["art-1"])
    # The extractor, run again on a changed text, finds its old four events (one changed).
    again = [dataclasses.replace(e, notes=e.notes + " (v2)") for e in events]
    assert store.add_article(make_article("art", "v2"), again) == IngestOutcome.REPLACED
    stored = {e: store.get_event(e) for e in _ids(store)}
    assert sorted(stored) == ["art-0", "art-2", "art-3"]
    assert stored["art-0"].actor1 == "Analyst's choice" and stored["art-0"].reviewed
    assert stored["art-2"].notes.endswith("(v2)")
    assert_consistent(store, {"art": 3})


def test_plan_replace_says_what_would_change(sample_store: EventStore) -> None:
    sample_store.update_event("e5", {"notes": "reviewed"})
    sample_store.delete_events(["e8"])
    current = {e: sample_store.get_event(e) for e in ("e6", "e7")}
    new = [
        current["e6"],  # identical: keep
        dataclasses.replace(current["e7"], fatalities=7),  # update
        make_event("e9", "C"),  # add
        make_event("e5", "C", notes="extractor's version"),  # protected (reviewed)
        make_event("e8", "C"),  # suppressed (an analyst deleted it)
    ]
    plan = sample_store.plan_replace("C", new)
    assert plan == ReplacePlan("C", add=("e9",), remove=(), update=("e7",), keep=("e6",), protected=("e5",),
                               suppressed=("e8",))
    assert plan.destructive and "reviewed" in plan.describe()
    assert sample_store.count() == 7  # nothing written
    wipe = sample_store.plan_replace("C", [])
    assert set(wipe.remove) == {"e6", "e7"} and wipe.protected == ("e5",)


def test_replace_article_is_one_transaction_and_undoable(sample_store: EventStore) -> None:
    article = make_article("B", "text of B")
    events = sample_store.query(EventFilter(article_id="B"))
    assert sample_store.replace_article(article, [sample_store.get_event(e) for e in events["event_id"]]) \
        == IngestOutcome.UNCHANGED
    # A new event whose id another article owns: the whole replace fails, the old events stay.
    with pytest.raises(StoreError, match="already stored for article 'A'"):
        sample_store.replace_article(article, [make_event("e1", "B"), make_event("b-new", "B")])
    assert _ids(sample_store, "B") == ["e3", "e4"]
    assert sample_store.replace_article(article, [make_event("b-new", "B")]) == IngestOutcome.REPLACED
    assert _ids(sample_store, "B") == ["b-new"]
    assert_consistent(sample_store, {"A": 2, "B": 1, "C": 4})
    assert sorted(c.action for c in sample_store.history()) == ["add", "remove", "remove"]
    sample_store.undo()
    assert _ids(sample_store, "B") == ["e3", "e4"]
    assert_consistent(sample_store, {"A": 2, "B": 2, "C": 4})


def test_accepted_preview_events_are_stored_reviewed(store: EventStore) -> None:
    accepted = [dataclasses.replace(e, reviewed=True) for e in many_events("new", 2)]
    assert store.replace_article(make_article("new", "pasted"), accepted) == IngestOutcome.ADDED
    assert all(store.get_event(e.event_id).reviewed for e in accepted)
    # A later re-extraction of the same article leaves them alone.
    store.add_article(make_article("new", "pasted, edited"), many_events("new", 3))
    assert [store.get_event(f"new-{i}").reviewed for i in range(3)] == [True, True, False]
    assert_consistent(store, {"new": 3})


def test_events_rejected_in_review_stay_out_until_the_rejection_is_undone(store: EventStore) -> None:
    events = many_events("new", 3)
    article = make_article("new", "pasted")
    assert store.replace_article(article, events[:2], rejected=[events[2]]) == IngestOutcome.ADDED
    assert _ids(store, "new") == ["new-0", "new-1"]
    [reject] = [c for c in store.history() if c.action == "reject"]
    assert (reject.event_id, reject.after, reject.before["event_id"]) == ("new-2", None, "new-2")
    # Re-extraction (the article view's "Extract again", or the same article with new text)
    # offers and stores the rejected event no more.
    plan = store.plan_replace("new", events)
    assert (plan.add, plan.suppressed) == ((), ("new-2",))
    assert store.replace_article(article, events) == IngestOutcome.UNCHANGED
    store.add_article(make_article("new", "pasted, edited"), events)
    assert _ids(store, "new") == ["new-0", "new-1"]
    # Rejecting it again records nothing new.
    store.replace_article(article, events[:2], rejected=[events[2]])
    assert [c.event_id for c in store.history() if c.action == "reject"] == ["new-2"]
    assert_consistent(store, {"new": 2})
    # Accepting it again in a later review (the event comes marked reviewed) stores it.
    again = dataclasses.replace(events[2], reviewed=True)
    assert store.plan_replace("new", [*events[:2], again]).add == ("new-2",)
    assert store.replace_article(article, [*events[:2], again]) == IngestOutcome.REPLACED
    assert _ids(store, "new") == ["new-0", "new-1", "new-2"]
    # Rejecting it once more removes it again (the earlier rejection does not hide the new one).
    assert store.plan_replace("new", events[:2], rejected=[again]).rejected == ("new-2",)
    store.replace_article(article, events[:2], rejected=[again])
    assert _ids(store, "new") == ["new-0", "new-1"]
    store.undo()  # the second rejection
    store.undo()  # the acceptance: back to rejected
    assert _ids(store, "new") == ["new-0", "new-1"]
    # Undoing the rejection accepts the event after all; a re-extraction keeps it.
    store.undo(reject.change_id)
    assert _ids(store, "new") == ["new-0", "new-1", "new-2"]
    assert store.plan_replace("new", events).suppressed == ()
    assert_consistent(store, {"new": 3})


def test_rejecting_a_stored_event_removes_it_for_good(sample_store: EventStore) -> None:
    article = make_article("C", "text of C")
    stored = [sample_store.get_event(i) for i in _ids(sample_store, "C")]
    sample_store.update_event(stored[0].event_id, {"notes": "checked"})  # reviewed: rejected all the same
    rejected = [sample_store.get_event(stored[0].event_id), stored[1]]
    plan = sample_store.plan_replace("C", stored[2:], rejected=rejected)
    assert set(plan.remove) == {stored[0].event_id, stored[1].event_id} and plan.destructive
    assert "rejected" in plan.describe()
    assert sample_store.replace_article(article, stored[2:], rejected=rejected) == IngestOutcome.REPLACED
    assert _ids(sample_store, "C") == sorted(e.event_id for e in stored[2:])
    sample_store.add_article(make_article("C", "text of C, edited"), stored)
    assert _ids(sample_store, "C") == sorted(e.event_id for e in stored[2:])
    assert_consistent(sample_store, {"A": 2, "B": 2, "C": 2})
    sample_store.undo()  # the rejection is one change: undo brings both back
    assert _ids(sample_store, "C") == sorted(e.event_id for e in stored)
    assert sample_store.get_event(stored[0].event_id).notes == "checked"
    assert_consistent(sample_store, {"A": 2, "B": 2, "C": 4})


@pytest.mark.parametrize("rejected, error, message", [
    ([make_event("x", "other")], StoreError, "not the article being stored"),
    ([make_event("new-0", "new")], ValidationError, "both accepted and rejected"),
])
def test_a_rejection_that_cannot_be_is_refused_and_writes_nothing(store: EventStore, rejected, error,
                                                                   message) -> None:
    with pytest.raises(error, match=message):
        store.replace_article(make_article("new", "pasted"), many_events("new", 1), rejected=rejected)
    with pytest.raises(error, match=message):
        store.plan_replace("new", many_events("new", 1), rejected=rejected)
    assert store.count() == 0 and store.history() == []


def test_exports_carry_the_current_version_and_reviewed(sample_store: EventStore) -> None:
    sample_store.update_event("e1", {"notes": "corrected"})
    records = {r["event_id"]: r for r in event_records(sample_store.query())}
    assert len(records) == 8
    assert records["e1"]["notes"] == "corrected" and records["e1"]["reviewed"] is True
    assert records["e2"]["reviewed"] is False


def test_history_survives_reopening(tmp_path) -> None:
    from geo.store import GpkgEventStore

    with GpkgEventStore(tmp_path / "s.gpkg") as s:
        fill_sample(s)
        s.update_event("e1", {"notes": "kept"})
    with GpkgEventStore(tmp_path / "s.gpkg") as s:
        assert [c.after["notes"] for c in s.history()] == ["kept"]
        s.undo()
        assert s.get_event("e1").notes != "kept"


def test_cli_history_lists_changes(tmp_path, capsys) -> None:
    from geo.cli import main
    from geo.store import GpkgEventStore

    path = tmp_path / "s.gpkg"
    with GpkgEventStore(path) as s:
        fill_sample(s)
        s.update_event("e1", {"notes": "new", "fatalities": 4}, note="line one\nforged line")
        s.delete_events(["e2"])
    assert main(["history", "--store", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2  # the newline in the note is shown escaped, not printed
    assert "delete" in lines[0] and "event e2" in lines[0]
    assert "edit" in lines[1] and "[fatalities, notes]" in lines[1] and "line one\\nforged line" in lines[1]
    assert main(["history", "--store", str(path), "--event", "e2", "--limit", "5"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_copy_store_copies_the_history_once(store: EventStore, tmp_path) -> None:
    from geo.store import GpkgEventStore, copy_store

    fill_sample(store)
    store.update_event("e1", {"notes": "edited"}, note="n1")
    store.merge_events("e3", ["e4"])
    store.undo()
    with GpkgEventStore(tmp_path / "copy.gpkg") as target:
        summary = copy_store(store, target)
        assert summary.history == 5 and "5 history rows" in str(summary)  # edit, merge (2), undo (2)
        strip = [(c.action, c.event_id, c.before, c.after, c.note, c.undone_by is not None) for c in store.history()]
        assert [(c.action, c.event_id, c.before, c.after, c.note, c.undone_by is not None)
                for c in target.history()] == strip
        assert copy_store(store, target).history == 0  # a re-run adds nothing
        target.undo()  # the copied edit can still be undone in the copy
        assert target.get_event("e1").notes == "Rebels seized the ISIL headquarters."


def test_replace_article_refuses_repeated_event_ids(sample_store: EventStore) -> None:
    with pytest.raises(StoreError, match="occurs more than once"):
        sample_store.replace_article(make_article("B", "text of B"), [make_event("x", "B"), make_event("x", "B")])
    assert _ids(sample_store, "B") == ["e3", "e4"]
