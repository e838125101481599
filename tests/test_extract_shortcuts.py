"""Shortcuts of the extractor (round five) against the computations they stand for, on our own
words and on random texts (hypothesis): each must give exactly what the slow one gives."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.extract import events

_SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_NEGATION_PIECES = ["no", "No", "NO", "casino", "not", "never", "been", "without", "absence", "halt", "cessation",
                    "lack", "end", "weekend", "of", "to", "the", "heavy", "air-", "ſ", "é", "\u212a", " ", "  ", "\t",
                    "\n", "\x1c", "\xa0", ",", "(", "-", "x"]


@given(st.lists(st.sampled_from(_NEGATION_PIECES), max_size=14).map(" ".join)
       | st.lists(st.sampled_from(_NEGATION_PIECES), max_size=14).map("".join))
@_SETTINGS
def test_negation_check_answers_as_the_pattern(before: str) -> None:
    text = before + "airstrikes"
    start = len(before)
    slow = events._NEGATED_BEFORE.search(text, max(0, start - events._NEGATION_REACH), start) is not None
    assert events.is_negated(text, start) == slow, before


def test_negation_check_reads_four_words_back() -> None:
    text = "the absence of the heavy airstrikes"
    assert events.is_negated(text, text.index("airstrikes"))
    assert not events.is_negated("the weekend heavy airstrikes", len("the weekend heavy "))


def test_cue_names_with_possessives_and_marks_are_the_pattern_s() -> None:
    # The words of a name are taken whole: "’s", "'s" and marks inside or after a word give the
    # spans the plain pattern gives, whether a cue follows or not.
    from geo.extract import toponyms

    for text in ("Hama's town", "Hama’s village", "Hama's-x town", "Kafr Nubl’s town and Al-Bab's area",
                 "Tal‘ Abyad' camp", "Ain Issa's's town", "Deir ez-Zor`s airport", "Maarat al-Numan town",
                 "Abu Kamal's  town", "X's's", "Binnish’s\ttown"):
        slow = [(next(g for g in ("n1", "n2", "n3", "n4") if m.group(g)),
                 *m.span(next(g for g in ("n1", "n2", "n3", "n4") if m.group(g))))
                for m in toponyms._CUE_NAME.finditer(text)]
        assert toponyms.cue_name_spans(text) == slow, text


_OWN_TEXTS = [
    "Syrian warplanes struck Saraqib on Monday, killing 5 civilians; rebels shelled Aleppo.",
    "Clashes between the SDF and ISIS in the village of Tal Tamr, east of Hasakah, left 12 fighters dead.",
    "A car bomb exploded in the Sheikh Maqsoud neighbourhood of Aleppo yesterday, no airstrikes on Idlib.",
]


def test_events_made_from_values_are_the_constructor_s(parser) -> None:
    # The extractor's events, made without the keyword constructor, are the events the
    # constructor makes of the same fields (and pass its checks).
    import dataclasses

    from geo.models import Event

    events_made = [e for text in _OWN_TEXTS for e in parser.extract_text(
        text, published=dt.date(2014, 1, 5), article_id="own").events]
    assert len(events_made) >= 3
    for event in events_made:
        assert Event(**dataclasses.asdict(event)) == event


def test_event_from_values_checks_as_the_constructor() -> None:
    import dataclasses

    import pytest

    from geo.errors import ValidationError
    from geo.models import EVENT_FIELDS, Event, event_from_values

    good = Event("e1", dt.date(2014, 1, 5), 1, "Battles", "Armed clash", "A", "B", "Syria", "Idlib", "SY-ID",
                 "Saraqib", 35.86, 36.8, 1, 3, "notes", "a1")
    values = [getattr(good, name) for name in EVENT_FIELDS]
    assert event_from_values(*values) == good
    assert dataclasses.astuple(event_from_values(*values)) == dataclasses.astuple(good)
    for name, bad in (("latitude", 91.0), ("event_type", "Picnic"), ("geo_precision", 4), ("confidence", 1.5),
                      ("event_id", ""), ("fatalities", -1), ("interaction", 100)):
        wrong = list(values)
        wrong[EVENT_FIELDS.index(name)] = bad
        with pytest.raises(ValidationError):
            Event(*wrong)
        with pytest.raises(ValidationError):
            event_from_values(*wrong)
    with pytest.raises(TypeError):
        event_from_values(*values[:-1])


def test_candidates_found_once_per_key_are_those_found_afresh(geocoder) -> None:
    # Spellings of one key share one answer; asked again (after a caller changed its copy, or
    # after clear_caches) the geocoder answers as when it first looked.
    from geo.gazetteer import name_key

    names = ["Saraqib", "saraqib", "Saraqeb", "Al-Bab", "al Bab", "Idleb", "Maarat al-Numan", "Maaret al Noman",
             "Xqzwv", "Kafr Nubl", "Kafrnbl", ""]
    fresh = {name: geocoder._find_candidates(name, name_key(name)) for name in names}
    assert any(fresh.values())
    for name in names + names[::-1]:
        got = geocoder.candidates(name)
        assert got == fresh[name], name
        got.append((0, "x", "exact", 1.0))  # a caller's copy: the next answer is unchanged
    assert all(geocoder.candidates(a) == geocoder.candidates(b) for a, b in (("Saraqib", "saraqib"), ("Al-Bab", "al Bab")))
    geocoder.clear_caches()
    assert geocoder._candidates == {}
    assert [geocoder.candidates(name) for name in names] == [fresh[name] for name in names]


@given(st.lists(st.sampled_from(["Aleppo", "al-Bab", "al", "’s", "\u00a8", "a\u00a8b", "x", " ", "-", ",", "ß", "ال", "é", "Tal"]),
                max_size=12).map(" ".join))
@_SETTINGS
def test_token_at_a_position_is_the_token_starting_there(text: str) -> None:
    # Every position a name can start at (the start, or after a space of the folded text):
    # the token starting there, as a map from the tokens' starts gives it.
    from geo.extract import toponyms

    folded = toponyms.fold_text(text)
    starts = {s: i for i, s in enumerate(folded.fstart)}
    for pos in [0] + [i + 1 for i, c in enumerate(folded.folded) if c == " "]:
        assert folded.token_at(pos) == starts.get(pos), (text, pos)


def test_token_at_with_a_token_that_folds_to_several_words() -> None:
    from geo.extract import toponyms

    folded = toponyms.fold_text("Aleppo a\u00a8b Idlib")  # "¨" folds to a space
    assert len(folded.tokens) < folded.folded.count(" ") + 1  # a token holds spaces
    assert folded.token_at(folded.folded.index("idlib")) == 2
    assert folded.token_at(len("alepo a ")) is None  # the "b" inside the second token


def test_a_sentence_without_trigger_lends_its_place_only_within_its_paragraph(parser) -> None:
    # A sentence with no trigger is skipped only where nothing can borrow from it: as the last of
    # its paragraph. Before a sentence of its paragraph, its place and date are the next one's.
    day = dt.date(2014, 1, 5)
    same = parser.extract_text("Saraqib lies in Idlib on Friday. Warplanes struck it.", published=day)
    assert ("Saraqib", dt.date(2014, 1, 3)) in [(e.location, e.event_date) for e in same.events]
    apart = parser.extract_text("Saraqib lies in Idlib on Friday.\n\nWarplanes struck it.", published=day)
    assert apart.events == ()
    alone = parser.extract_text("Saraqib lies in Idlib on Friday.", published=day)
    assert alone.events == () and [m.text for m in alone.mentions] == ["Saraqib", "Idlib"]


@given(st.lists(st.sampled_from(["Liwa", "liwa", "Jaysh", "Kat", "Ka", "Quwat", "Jund", "Suq", "Su", "x", " ", "-",
                                 "ſ", "Ahrar", "AHRAR", "Faylaq"]), max_size=10).map("".join))
@_SETTINGS
def test_group_name_hint_is_the_words_check(text: str) -> None:
    from geo.extract import lexicon

    assert (lexicon.GROUP_NAME_HINT.search(text) is not None) == any(w in text for w in lexicon.GROUP_NAME_WORDS)


def test_latitude_shortcuts_of_the_geocoder_change_no_answer(geocoder, monkeypatch) -> None:
    # A candidate farther than a distance by latitude alone gets no distance computed (near
    # bonus, near support, a governorate's border): with the bound switched off (0 km a degree:
    # every distance computed), every ranking and decision is the same.
    from geo.gazetteer import geocoder as geocoder_module

    gaz = geocoder.gazetteer
    names = [key for key, idx in gaz.by_key.items() if len(idx) >= 4][:40] + ["Saraqib", "Tal Rifaat", "Kafr Nubl"]
    hints = [{"near": p} for p in ((36.2, 37.1), (35.93, 36.63), (33.5, 36.3), (35.0, 38.5), (32.6, 36.1))] + \
        [{"admin1": a} for a in ("Idlib", "Aleppo", "Hama", "Daraa", "Raqqa")]

    def answers() -> list:
        out = []
        for name in names:
            for hint in hints:
                ranked = geocoder.rank(name, **hint)
                decided = geocoder.resolve(name, **hint)
                out.append(([(c.place.place_id, c.rank_score) for c in ranked], decided.reason,
                            decided.chosen.place.place_id if decided.chosen else None))
        return out

    fast = answers()
    assert any(chosen for _, _, chosen in fast)
    monkeypatch.setattr(geocoder_module, "KM_PER_DEGREE_LAT_MIN", 0.0)
    assert answers() == fast


def test_slots_made_positionally_hold_each_field_where_its_name_says(parser) -> None:
    from geo.extract.events import PlaceSlot
    from geo.gazetteer import COUNTRY_NAMES

    place = next(p for p in parser.gazetteer.places if p.kind == "populated_place" and p.country_code == "SY")
    admin1, admin1_code, admin2 = parser._units_of(place)
    slot = parser._slot("Xyz", 3, 6, 1, place, 2, 0.75)
    assert slot == PlaceSlot(key=place.place_id, start=3, end=6, surface="Xyz", clause=1, location=place.name,
                             latitude=place.latitude, longitude=place.longitude,
                             country=COUNTRY_NAMES.get(place.country_code, place.country_code), admin1=admin1,
                             admin1_code=admin1_code, geo_precision=2, place_id=place.place_id, match_score=0.75,
                             resolved=True, admin2=admin2)


def test_places_prominence_kept_once_ranks_as_computed_each_time(geocoder, monkeypatch) -> None:
    class Forgetful(dict):  # a cache that keeps nothing: every prominence computed afresh
        def __setitem__(self, key, value) -> None:
            pass

    gaz = geocoder.gazetteer
    names = [key for key, idx in gaz.by_key.items() if len(idx) >= 3][:30] + ["Saraqib", "Manbij"]
    hints = [{}, {"kind": "admin1"}, {"admin1": "Idlib"}, {"near": (36.2, 37.1)}]
    kept = [[(c.place.place_id, c.rank_score) for c in geocoder.rank(n, **h)] for n in names for h in hints]
    assert geocoder._prominence
    monkeypatch.setattr(geocoder, "_prominence", Forgetful())
    assert [[(c.place.place_id, c.rank_score) for c in geocoder.rank(n, **h)] for n in names for h in hints] == kept


@given(st.lists(st.sampled_from(["civilian", "Civilians", "CHILDREN", "ſhepherds", "\u212a", "men", "women", "Mena",
                                 "aid workers", "aid  workers", "manly", "xman", "boy", "-", " ", "_", "é", "1", "people"]),
                max_size=10).map(" ".join)
       | st.lists(st.sampled_from(["man", "men", "child", "x", "-", " ", "ſ", "é", "girl", "family"]), max_size=8).map("".join))
@_SETTINGS
def test_civilian_words_are_found_as_by_the_pattern(text: str) -> None:
    from geo.extract import lexicon

    slow = lexicon.CIVILIAN_WORDS.search(text)
    fast = next(lexicon.CIVILIAN_RE.finditer(text), None)
    assert (fast.span() if fast else None) == (slow.span() if slow else None), text
    assert events.names_civilians(text) == (slow is not None)


def test_civilian_answers_are_kept_for_the_last_sentence_only() -> None:
    events.names_civilians("Warplanes killed five civilians.")
    events.names_civilians("Clashes left two fighters dead.")
    assert events.names_civilians.cache_info().currsize == 1
