"""Places named in a sentence about the past or the background are not event places: a history
sentence ("the town was destroyed in 1982"), a summary of a whole war ("the province has seen heavy
fighting during the conflict"), a dateline that names a country and an agency ("Tartus (Syria)
(AFP) -"), and the place where the shooters were located ("gunmen located in X fired on Y").
Sentences written for this test; never the dev sets' rows."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.extract.text import Span, clauses, join_place_lists
from geo.gazetteer import name_key
from geo.models import Article

PUBLISHED = dt.date(2016, 3, 14)


def _places(parser, text: str) -> set[str]:
    return {e.location for e in parser.extract(Article("t", text, published=PUBLISHED)).events}


@pytest.mark.parametrize("text", [
    "Homs was shelled for weeks during the siege of 1982.",
    "The old market of Homs was burned down in May 1985 by government troops.",
    "During the war of 1973, fierce fighting destroyed much of Quneitra.",
])
def test_history_sentence_gives_no_event(parser, text):
    assert _places(parser, text) == set()


def test_history_sentence_keeps_a_current_event(parser):
    text = "Rebels, who first seized Saraqib in 2012, shelled Idlib city on Sunday."
    assert _places(parser, text), "a dated current event in the sentence stays"


def test_since_year_is_not_history(parser):
    assert _places(parser, "Troops captured Saraqib for the first time since 2012 on Sunday.")


@pytest.mark.parametrize("text", [
    "The countryside around Hama has seen heavy fighting during the five-year conflict.",
    "Daraa has witnessed repeated clashes since the start of the war.",
])
def test_war_summary_gives_no_event(parser, text):
    assert _places(parser, text) == set()


def test_dateline_with_country_and_agency(parser):
    text = "Tartus (Syria) (AFP) - Warplanes bombed Saraqib on Sunday, killing four people."
    places = _places(parser, text)
    assert "Tartus" not in places
    assert places


def test_year_in_a_relative_clause_is_an_aside(parser):
    text = "Warplanes bombed Saraqib, a town that rebels have held since they took it in 2012, killing four."
    assert _places(parser, text)


def test_shooters_location_is_not_the_event_place(parser):
    text = "Gunmen located in Saraqib fired rockets on the town of Maarat al-Numan on Sunday, killing two."
    places = _places(parser, text)
    assert places
    assert not any("Saraq" in p for p in places)


def test_fire_origin_is_not_the_event_place(parser):
    text = "Militants fired mortars from positions in Saraqib on the town of Maarat al-Numan on Sunday."
    places = _places(parser, text)
    assert places
    assert not any("Saraq" in p for p in places)


@pytest.mark.parametrize("text,compared", [
    ("Warplanes bombed Douma on Sunday, with more damage than in Homs.", "Homs"),
    ("Warplanes bombed Douma on Sunday, as they did in Daraa before.", "Daraa"),
    ("Warplanes bombed Douma on Sunday; residents fear a siege like in Homs.", "Homs"),
])
def test_compared_place_is_not_an_event_place(parser, text, compared):
    places = _places(parser, text)
    assert places
    assert not any(compared[:4] in p for p in places)


@pytest.mark.parametrize("text,dateline", [
    ("Hasakah (Syria) (AFP) - Warplanes bombed Saraqib on Sunday, killing four people.", "Hasakah"),
    (("Beirut: Syrian jets shelled rebel positions near a border crossing close to Saraqib on Sunday, "
      "rebels said."), "Beirut"),
])
def test_dateline_forms_are_not_event_places(parser, text, dateline):
    places = _places(parser, text)
    assert places
    assert not any(name_key(dateline) in name_key(p) for p in places)


def test_short_headline_with_colon_keeps_its_place(parser):
    assert any("Saraq" in p for p in _places(parser, "Saraqib: four killed in airstrikes"))


def test_a_list_after_a_comparison_is_all_comparison(parser):
    text = "Warplanes bombed Douma on Sunday, as they did in the old city of Homs, Daraa and eastern Aleppo."
    places = _places(parser, text)
    assert places, "the event in the main clause stays"
    assert not any(name_key(c) in name_key(p) for c in ("Homs", "Daraa", "Aleppo") for p in places)


@pytest.mark.parametrize("text", [
    "The minister gave a speech in the capital, Damascus, on Monday. Jets struck targets inside Syria on "
    "Tuesday, killing four fighters.",
    "Envoys met in Homs on Sunday. Artillery shelled positions across northern Syria overnight, killing two.",
])
def test_a_sentence_naming_only_the_country_borrows_no_town(parser, text):
    """The sentence names its area, the country, which is no point: the town of the sentence
    before (where someone spoke or met) is not where the strike was."""
    assert _places(parser, text) == set()


def test_a_sentence_without_any_place_still_takes_the_town_before(parser):
    text = "Rebels stormed the village of Kafr Nabl on Friday. Warplanes then bombed the area, killing five."
    places = _places(parser, text)
    assert len(places) == 1 and "Kaf" in next(iter(places))


@pytest.mark.parametrize("text,first", [
    ("After the car bomb in Azaz failed to explode, a suicide bomber blew himself up in Jarablus.", "Jarablus"),
    ("In conjunction with heavy clashes east of Saraqib, regime forces shelled Kafr Nabl.", "Kafr Nabl"),
    ("Two days after an airstrike hit Ariha, warplanes bombed Maarat al-Numan, killing three.", "Maarat al-Numan"),
    ("Amid fighting in Tabqa, coalition aircraft struck Raqqa city.", "Raqqa"),
])
def test_the_main_clause_leads_over_an_opening_clause_of_circumstance(parser, geocoder, text, first):
    events = parser.extract(Article("t", text, published=PUBLISHED)).events
    assert len(events) >= 2, events  # the scene's place stays an event, after the main one
    assert events[0].place_id == geocoder.geocode(first).raw["place_id"], [e.location for e in events]


@pytest.mark.parametrize("sentence,intro", [
    ("After the attack in Azaz failed, a bomber struck Jarablus.", "After the attack in Azaz failed"),
    ("Less than 24 hours after the raid on Douma, shells hit Harasta.", "Less than 24 hours after the raid on Douma"),
    ("In conjunction with clashes near Hama - aircraft struck Latamneh.", "In conjunction with clashes near Hama"),
    ("As the army advanced on Palmyra; IS fighters withdrew.", "As the army advanced on Palmyra"),
    ("Amid fighting around Tabqa… the coalition struck Raqqa.", "Amid fighting around Tabqa"),
    ("As many as 20 people were killed in Douma, activists said.", None),
    ("Aftermath of the strike in Douma, in pictures.", None),
    ("Shelling hit Douma after the talks, activists said.", None),
    ("After the attack rebels withdrew", None),  # no end of the clause: nothing is set apart
])
def test_opening_clause_of_circumstance(sentence, intro):
    from geo.extract.events import intro_clause_end

    end = intro_clause_end(sentence)
    assert (sentence[:end] if end is not None else None) == intro


def test_every_place_of_the_main_clause_leads_a_list_in_the_opening_clause(parser, geocoder):
    text = "After air raids near Hama, Masyaf and Salamiyah, an explosion hit arms depots in Qutayfah and Jableh."
    events = parser.extract(Article("t", text, published=PUBLISHED)).events
    main = {geocoder.geocode(name).raw["place_id"] for name in ("Qutayfah", "Jableh")}
    assert {e.place_id for e in events[:2]} == main, [e.location for e in events]
    assert len(events) == 5  # the scene's places stay events, after the main ones


@pytest.mark.parametrize("sentence,trigger,intro", [
    ("After clashes in Tafas, Inkhil and Jasim, regime forces shelled Nawa.", "shelled",
     "After clashes in Tafas, Inkhil and Jasim"),
    ("After the attack, rebels, backed by artillery, shelled Tafas.", "shelled",
     "After the attack, rebels, backed by artillery"),
    ("Two days after a strike hit Ariha, warplanes bombed Binnish, killing three.", "bombed",
     "Two days after a strike hit Ariha"),  # (the comma after the main trigger is not looked at)
    ("After the attack, a bomb exploded.", "After", "After the attack"),  # no trigger after the first mark
])
def test_a_list_in_the_opening_clause_runs_on_to_the_main_trigger(sentence, trigger, intro):
    from geo.extract.events import intro_clause_end

    offsets = [sentence.index(trigger)]
    assert sentence[:intro_clause_end(sentence, offsets)] == intro


@pytest.mark.parametrize("text", [
    "There were no airstrikes on Saraqib on Monday.",
    "Residents of Saraqib reported the absence of warplanes over the town for a second day.",
    "Saraqib passed a whole day without shelling.",
    "Calm returned to Saraqib after a halt to the shelling.",
    "Government forces entered Saraqib without clashes.",
    "The rebels said they had not attacked Saraqib.",
])
def test_a_denied_event_is_not_an_event(parser, text):
    assert _places(parser, text) == set()


@pytest.mark.parametrize("text", [
    "There is no doubt the shelling of Saraqib killed two people.",
    "Warplanes struck Saraqib, and no one in the town was spared.",
    "Rebels not only shelled Saraqib but also stormed its checkpoints.",
])
def test_a_negation_elsewhere_in_the_sentence_keeps_the_event(parser, text):
    assert _places(parser, text) == {"Saraqib"}


def test_the_place_where_someone_dies_leads_over_places_named_before_it(parser):
    text = ("Turkish forces shell villages in the Tal Abyad and Ras al-Ayn areas, and a civilian dies "
            "by sniper fire in Darbasiyah.")
    events = parser.extract(Article("t", text, published=PUBLISHED)).events
    assert text[events[0].place_start:events[0].place_end] == "Darbasiyah"


@pytest.mark.parametrize("text, ranges", [
    ("Rebels attacked army positions in the al-Akrad and al-Turkmen Mountains on Monday.",
     {"Jabal al-Akrad", "Jabal al-Turkman"}),
    ("Warplanes struck villages in the Zawiya mountain on Monday, killing four.", {"Jabal al-Zawiya"}),
])
def test_a_mountain_range_is_the_range_not_a_village_named_like_it(parser, text, ranges):
    events = parser.extract(Article("t", text, published=PUBLISHED)).events
    assert {e.location for e in events} == ranges
    assert {e.geo_precision for e in events} == {2}


def test_mountains_named_for_a_place_without_a_range_stay_that_place(parser):
    assert _places(parser, "Shelling hit the Latakia mountains on Monday, killing two.") == {"Latakia"}


@pytest.mark.parametrize("text", [
    "Clashes in Saraqib and Binnish left 25 fighters dead on Monday.",
    "Clashes in Saraqib and the town of Binnish left 25 fighters dead on Monday.",
])
def test_the_and_of_a_list_of_places_does_not_split_the_clause(parser, text):
    """The dead belong to the whole list, so the list's order stands (the last place used to lead,
    as the only one in the clause of the deaths) and the count is given once."""
    events = parser.extract(Article("t", text, published=PUBLISHED)).events
    assert [text[e.place_start:e.place_end] for e in events] == ["Saraqib", "Binnish"]
    assert [e.fatalities for e in events] == [25, None]


def test_the_and_of_two_clauses_still_splits_them():
    text = "Warplanes bombed Saraqib and rebels shelled Binnish."
    sent = Span(0, len(text), text)
    names = [(text.index(w), text.index(w) + len(w)) for w in ("Saraqib", "Binnish")]
    assert len(join_place_lists(sent, clauses(sent), names)) == len(clauses(sent)) == 2
    listed = "Warplanes bombed Saraqib and Binnish."
    sent = Span(0, len(listed), listed)
    names = [(listed.index(w), listed.index(w) + len(w)) for w in ("Saraqib", "Binnish")]
    assert [c.text for c in join_place_lists(sent, clauses(sent), names)] == [listed]
