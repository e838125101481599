"""Extraction: the seed article's events, each event type, each date form, unresolved villages,
names that are also governorates, and negatives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from geo.extract import canonical_actor
from geo.gazetteer.gazetteer import haversine_km
from geo.models import EVENT_TYPES, Article

SEED = Path(__file__).resolve().parents[1] / "seeds" / "syria-rebels-isil-2014-01-05.txt"
PUBLISHED = dt.date(2014, 1, 5)  # a Sunday
MANBIJ = (36.5281, 37.9549)
TABQA = (35.8367, 38.5481)
ATMEH = (36.3111, 36.6864)


@pytest.fixture(scope="module")
def seed_events(parser):
    text = SEED.read_text(encoding="utf-8")
    return text, parser.extract(Article("seed", text, published=PUBLISHED)).events


def _at(events, point, km=10):
    return [e for e in events if haversine_km(point, (e.latitude, e.longitude)) <= km]


def test_seed_manbij_compound_seized(seed_events):
    _, events = seed_events
    manbij = _at(events, MANBIJ)
    assert len(manbij) == 1
    event = manbij[0]
    assert (event.event_type, event.sub_event_type) == ("Battles", "Non-state actor overtakes territory")
    assert event.event_date == PUBLISHED and event.time_precision == 1
    assert event.admin1 == "Aleppo" and event.admin1_code == "SY-HL" and event.geo_precision == 1
    assert {event.actor1, event.actor2} == {canonical_actor("Syrian opposition"), canonical_actor("ISIL")}
    assert event.actor1 == canonical_actor("Syrian opposition")


def test_seed_tabqa_clash_and_car_bombs(seed_events):
    _, events = seed_events
    tabqa = _at(events, TABQA)
    types = {(e.event_type, e.sub_event_type) for e in tabqa}
    assert ("Battles", "Armed clash") in types
    clash = next(e for e in tabqa if e.sub_event_type == "Armed clash")
    assert clash.event_date == PUBLISHED and clash.admin1 == "Raqqa"
    assert canonical_actor("ISIL") in (clash.actor1, clash.actor2)
    assert any(e.event_type == "Explosions/Remote violence" for e in events), "the car bombs are an event"


def test_seed_atmeh_isil_pushed_out(seed_events):
    _, events = seed_events
    atmeh = _at(events, ATMEH)
    assert len(atmeh) == 1
    event = atmeh[0]
    assert event.admin1 == "Idlib"
    assert event.sub_event_type == "Non-state actor overtakes territory"
    assert event.actor2 == canonical_actor("ISIL")  # ISIL lost the town
    assert abs((event.event_date - PUBLISHED).days) <= 2


@pytest.mark.parametrize("admin1", ["Aleppo", "Idlib", "Hama"])
def test_seed_governorate_level_clashes(seed_events, admin1):
    _, events = seed_events
    clashes = [e for e in events if e.admin1 == admin1 and e.geo_precision == 3 and e.sub_event_type == "Armed clash"]
    assert clashes, admin1
    if admin1 == "Aleppo":
        assert clashes[0].event_date == dt.date(2014, 1, 3)  # "began on Friday"


def test_seed_doctor_killing_is_violence_against_civilians(seed_events):
    _, events = seed_events
    killings = [e for e in events if e.event_type == "Violence against civilians"]
    assert killings and killings[0].admin1 == "Aleppo"
    assert "doctor" in killings[0].notes


def test_seed_nothing_in_iraq_the_levant_or_damascus(seed_events):
    _, events = seed_events
    assert all(e.country == "Syria" for e in events)
    assert not any(e.admin1 in ("Damascus", "Rural Damascus") for e in events)


def test_seed_provenance_spans_point_at_the_text(seed_events):
    text, events = seed_events
    for event in events:
        assert text[event.sentence_start:event.sentence_end] == event.notes
        assert event.sentence_start <= event.place_start < event.place_end <= event.sentence_end or \
            event.confidence < 0.7  # a place inherited from the previous sentence lies before it
        assert text[event.place_start:event.place_end]


def test_seed_ids_are_stable_and_unique(parser, seed_events):
    text, events = seed_events
    again = parser.extract(Article("seed", text, published=PUBLISHED)).events
    assert [e.event_id for e in events] == [e.event_id for e in again]
    assert len({e.event_id for e in events}) == len(events)


def test_best_event_first(seed_events):
    _, events = seed_events
    assert events[0].location == "Manbij"


# -- one short sentence per event type ------------------------------------------------------------
EVENT_SENTENCES = [
    ("Rebels clashed with government forces in Saraqib.", "Battles", "Armed clash", "Idlib"),
    ("ISIS fighters seized the town of Tal Abyad.", "Battles", "Non-state actor overtakes territory", "Raqqa"),
    ("The Syrian army recaptured Palmyra from ISIS.", "Battles", "Government regains territory", "Homs"),
    ("Russian warplanes carried out airstrikes on Khan Shaykhun.", "Explosions/Remote violence", "Air/drone strike", "Idlib"),
    ("Regime forces shelled Douma with mortars.", "Explosions/Remote violence", "Shelling/artillery/missile attack", "Rural Damascus"),
    ("A car bomb exploded in Azaz.", "Explosions/Remote violence", "Remote explosive/landmine/IED", "Aleppo"),
    ("A suicide bomber blew himself up at a checkpoint in Qamishli.", "Explosions/Remote violence", "Suicide bomb", "Hasakah"),
    ("Gunmen executed five civilians in Manbij.", "Violence against civilians", "Attack", "Aleppo"),
    ("Unknown gunmen kidnapped a journalist in Idlib.", "Violence against civilians", "Abduction/forced disappearance", "Idlib"),
    ("Hundreds of people protested against the regime in Daraa.", "Protests", "Peaceful protest", "Daraa"),
    ("A ceasefire agreement was reached in Homs.", "Strategic developments", "Agreement", "Homs"),
]


@pytest.mark.parametrize("sentence,etype,sub,admin1", EVENT_SENTENCES)
def test_each_event_type(parser, sentence, etype, sub, admin1):
    events = parser.extract(Article("s", sentence, published=PUBLISHED)).events
    assert events, sentence
    best = events[0]
    assert (best.event_type, best.sub_event_type, best.admin1) == (etype, sub, admin1)
    assert best.sub_event_type in EVENT_TYPES[best.event_type]


@pytest.mark.parametrize("sentence, actor1", [
    ("Israeli strikes hit an arms depot near Masyaf, killing five soldiers.", "Israeli forces"),
    ("Russian strikes on Maarat al-Numan killed 12 civilians.", "Russian forces"),
    ("The coalition said it carried out 14 strikes near Tabqa on Tuesday.", None),
])
def test_a_states_strikes_are_one_air_strike(parser, sentence, actor1):
    """"Israeli strikes" are air strikes, and the deaths they caused are theirs: one event, not an
    air strike and a killing (or a battle, the dead being soldiers)."""
    events = parser.extract(Article("s", sentence, published=PUBLISHED)).events
    assert [(e.event_type, e.sub_event_type) for e in events] == [("Explosions/Remote violence", "Air/drone strike")]
    if actor1:
        assert events[0].actor1 == canonical_actor(actor1)


@pytest.mark.parametrize("sentence, etype", [
    ("Warplanes target a camp of displaced people near Saraqib, kill 3 civilians and injure others.",
     "Explosions/Remote violence"),
    ("Rebels stormed Saraqib, killed 3 soldiers.", "Battles"),
    ("Regime shelling hits Binnish, leaves 3 civilians dead.", "Explosions/Remote violence"),
])
def test_a_headlines_second_verb_tells_what_the_first_did(parser, sentence, etype):
    """"Warplanes target X, kill 3 civilians": one event whose deaths are its own, not an air
    strike and a killing."""
    events = parser.extract(Article("s", sentence, published=PUBLISHED)).events
    assert [(e.event_type, e.fatalities) for e in events] == [(etype, 3)]


@pytest.mark.parametrize("sentence", [
    "Shells target Binnish and Taftanaz and raise the casualties.",
    "Regime shelling hits Binnish, raising the death toll to 3.",
    "Rockets hit Ariha and bring the number of dead to 9.",
])
def test_a_clause_that_raises_the_toll_is_no_event_of_its_own(parser, sentence):
    """"Shells target X and raise the casualties": the casualties are the shelling's, not a
    killing of their own (which, being deadly, came first)."""
    events = parser.extract(Article("s", sentence, published=PUBLISHED)).events
    assert {e.event_type for e in events} == {"Explosions/Remote violence"}
    assert len(events) == len({e.place_id for e in events})


def test_a_result_clauses_deaths_belong_to_the_clause_before_it(parser):
    """"X as warplanes struck Y, killing 5": the five died in the strike on Y, not in X, the
    sentence's first place."""
    text = "Clashes erupted in Saraqib as warplanes struck Binnish, killing 5 civilians."
    events = parser.extract(Article("s", text, published=PUBLISHED)).events
    assert {e.location: e.fatalities for e in events} == {"Binnish": 5, "Saraqib": None}


@pytest.mark.parametrize("sentence, etype, deaths", [
    ("Two children were killed when a shell hit their house in Saraqib.", "Explosions/Remote violence", 2),
    ("Five people were killed as warplanes bombed a market in Ariha.", "Explosions/Remote violence", 5),
    ("Three civilians were killed in Binnish when clashes erupted nearby.", "Battles", 3),
])
def test_deaths_told_with_when_or_as_are_the_attacks_not_a_killing_of_their_own(parser, sentence, etype, deaths):
    """"Two were killed when a shell hit their house": one shelling with two dead, not a shelling
    and a separate killing of civilians."""
    events = parser.extract(Article("s", sentence, published=PUBLISHED)).events
    assert [(e.event_type, e.fatalities) for e in events] == [(etype, deaths)]


def test_a_killing_with_its_own_place_stays_beside_the_attack(parser):
    events = parser.extract(Article("s", "Gunmen killed two men in Saraqib after shelling hit Ariha.",
                                    published=PUBLISHED)).events
    assert sorted(e.location for e in events) == ["Arīḩā", "Saraqib"]


@pytest.mark.parametrize("sentence, deaths", [
    ("Syrian government warplanes pounded rebel-held areas of Saraqib on Tuesday, killing at least 14 people, "
     "a day after a truce collapsed.", 14),
    ("Rebels shelled army positions and stormed Morek, killing 9 soldiers.", 9),
])
def test_a_sentences_count_is_told_once_on_a_violent_event(parser, sentence, deaths):
    """One count per sentence: on one event of its place (the strike, not also "a truce
    collapsed"), so that summing fatalities counts each death once."""
    events = parser.extract(Article("s", sentence, published=PUBLISHED)).events
    assert sum(e.fatalities or 0 for e in events) == deaths
    assert all(e.fatalities is None for e in events if e.event_type == "Strategic developments")


def test_government_warplanes_are_the_governments(parser):
    events = parser.extract(Article("s", "Syrian government warplanes pounded Saraqib on Tuesday.",
                                    published=PUBLISHED)).events
    assert [e.actor1 for e in events] == [canonical_actor("Syrian government forces")]


def test_a_name_the_gazetteer_lacks_falls_back_to_the_area_the_text_is_about_there(parser):
    """Nothing names the place of the last paragraph's shelling but its quarter: it falls back to
    the governorate named last before it (Aleppo), not to the article's most named one (Idlib)."""
    text = ("Warplanes struck Saraqib and Ariha on Monday.\n\nIn Aleppo, clashes erupted in the city on Monday."
            "\n\nRebels shelled the Furqan neighbourhood, killing two.")
    events = parser.extract(Article("s", text, published=PUBLISHED)).events
    shelling = [e for e in events if e.notes.startswith("Rebels shelled")]
    assert [(e.admin1, e.geo_precision) for e in shelling] == [("Aleppo", 3)]


@pytest.mark.parametrize("sentence, agreement", [
    ("A ceasefire took effect in Daraa on Monday.", True),
    ("Rebels and the army agreed a truce in Zabadani on Monday.", True),
    ("Rebels called for a truce in Zabadani on Monday.", False),
    ("Envoys met on Monday to discuss a nationwide ceasefire in Idlib.", False),
])
def test_an_agreement_talked_of_is_not_an_agreement(parser, sentence, agreement):
    events = parser.extract(Article("s", sentence, published=PUBLISHED)).events
    assert any(e.sub_event_type == "Agreement" for e in events) is agreement


@pytest.mark.parametrize("sentence, expected", [
    ("At least 10 people were killed and dozens wounded in a suicide bombing at a checkpoint in Azaz.",
     ["Explosions/Remote violence"]),
    ("Kurdish forces arrested 20 suspected ISIS members in raids in Hasakah.", ["Strategic developments"]),
    ("Protesters took to the streets in Daraa to denounce the arrests.", ["Protests"]),
    ("Russian raids on Saraqib killed 4.", ["Explosions/Remote violence"]),
])
def test_words_another_trigger_explains_make_no_event_of_their_own(parser, sentence, expected):
    """The deaths of a bombing that no clause of their own places; arrest raids (not air raids);
    what protesters denounce: each is told of by the sentence's main event."""
    events = parser.extract(Article("s", sentence, published=PUBLISHED)).events
    assert [e.event_type for e in events] == expected


@pytest.mark.parametrize("sentence, expected", [
    ("9 killed in Idlib shelling", ("Idlib", 3)),
    ("Aleppo airstrikes kill 12", ("Aleppo", 3)),
    ("Saraqib shelling kills 3", ("Saraqib", 1)),
    ("Shelling hit Idlib, killing two.", ("Idlib", 1)),
])
def test_a_governorates_name_as_an_adjective_is_the_governorate(parser, sentence, expected):
    """"9 killed in Idlib shelling": nothing says Idlib city; the governorate (precision 3)."""
    events = parser.extract(Article("s", sentence, published=PUBLISHED)).events
    assert [(e.admin1 if e.geo_precision == 3 else e.location, e.geo_precision) for e in events] == [expected]


@pytest.mark.parametrize("sentence, deaths", [
    ("Nine civilians, including four children, were killed when regime forces shelled Saraqib.", 9),
    ("Twelve people, among them three women, were killed in airstrikes on Ariha.", 12),
    ("Militiamen carried out a massacre of more than 30 civilians in Saraqib.", 30),
])
def test_a_count_with_an_aside_is_read(parser, sentence, deaths):
    events = parser.extract(Article("s", sentence, published=PUBLISHED)).events
    assert [e.fatalities for e in events] == [deaths]


def test_a_russian_airstrike_is_russias(parser):
    events = parser.extract(Article("s", "A Russian airstrike killed three fighters near Ariha.",
                                    published=PUBLISHED)).events
    assert [e.actor1 for e in events] == [canonical_actor("Russian forces")]


def test_a_headlines_vague_event_is_the_bodys_precise_one(parser):
    """"9 killed in Idlib shelling", its day not stated, is the body's shelling of Saraqib (Idlib)
    on Wednesday: one event, not one more at the governorate."""
    text = ("Monitor: 9 killed in Idlib shelling\n\nNine civilians were killed on Wednesday when regime "
            "forces shelled Saraqib, a monitor said.")
    events = parser.extract(Article("s", text, published=dt.date(2016, 5, 6))).events
    assert [(e.location, e.geo_precision, e.event_date) for e in events] == [("Saraqib", 1, dt.date(2016, 5, 4))]


def test_a_bomb_that_went_off_is_an_explosion(parser):
    events = parser.extract(Article("s", "A bomb planted in a car went off in Jableh, killing 3.",
                                    published=PUBLISHED)).events
    assert [(e.event_type, e.fatalities) for e in events] == [("Explosions/Remote violence", 3)]


def test_a_strike_on_two_places_and_the_missiles_shot_down(parser):
    """"Struck X and near the city of Y, adding that air defences shot down most of the missiles":
    both places were struck (Y too, near the city: precision 2); the missiles shot down are no
    missile attack of their own."""
    text = ("Israeli warplanes struck positions in Kiswah and near the city of Homs on Monday, adding that air "
            "defences shot down most of the missiles.")
    events = parser.extract(Article("s", text, published=PUBLISHED)).events
    strikes = {e.location: e.geo_precision for e in events if e.sub_event_type == "Air/drone strike"}
    assert strikes.get("Homs") == 2 and len(strikes) == 2
    assert not any(e.sub_event_type == "Shelling/artillery/missile attack" for e in events)


def test_a_headlines_undated_event_is_the_bodys_dated_one_at_the_same_place(parser):
    text = "Israeli strikes hit targets in Kiswah\n\nIsraeli warplanes struck positions in Kiswah on Monday."
    events = parser.extract(Article("s", text, published=dt.date(2016, 5, 4))).events
    assert [(e.sub_event_type, e.event_date) for e in events] == [("Air/drone strike", dt.date(2016, 5, 2))]


def test_a_workers_strike_is_not_an_air_strike(parser):
    assert not parser.extract(Article("s", "Workers went on strike in Masyaf on Monday.", published=PUBLISHED)).events


def test_fatalities_are_read(parser):
    events = parser.extract(Article("s", "Airstrikes on Ariha killed 12 civilians.", published=PUBLISHED)).events
    assert events[0].fatalities == 12
    assert events[0].actor2 == canonical_actor("Civilians")


# -- dates -------------------------------------------------------------------------------------------
DATE_SENTENCES = [
    ("Clashes broke out in Saraqib on Friday.", dt.date(2014, 1, 3), 1),
    ("Clashes broke out in Saraqib on Sunday.", dt.date(2014, 1, 5), 1),
    ("Clashes broke out in Saraqib yesterday.", dt.date(2014, 1, 4), 1),
    ("Clashes broke out in Saraqib last week.", dt.date(2013, 12, 29), 2),
    ("Clashes broke out in Saraqib this month.", dt.date(2014, 1, 5), 3),
    ("Clashes broke out in Saraqib on 2 January.", dt.date(2014, 1, 2), 1),
    ("Clashes broke out in Saraqib on Dec. 30, 2013.", dt.date(2013, 12, 30), 1),
    ("Clashes broke out in Saraqib.", dt.date(2014, 1, 5), 2),  # no date: the article's, within a week
]


@pytest.mark.parametrize("sentence,date,precision", DATE_SENTENCES)
def test_each_date_form(parser, sentence, date, precision):
    event = parser.extract(Article("d", sentence, published=PUBLISHED)).events[0]
    assert (event.event_date, event.time_precision) == (date, precision)


def test_a_day_earlier_counts_from_the_day_the_sentence_before_gave(parser):
    text = "A car bomb killed 20 people in Saraqib on Saturday. A day earlier, two car bombs exploded in Binnish."
    events = {e.location: e for e in parser.extract(Article("r", text, published=PUBLISHED)).events}
    assert events["Binnish"].event_date == events["Saraqib"].event_date - dt.timedelta(days=1)
    assert events["Binnish"].time_precision == 1


def test_undated_article_gives_undated_events(parser):
    events = parser.extract(Article("u", "Clashes broke out in Saraqib on Friday.", published=None)).events
    assert events and events[0].event_date is None and events[0].time_precision is None


def test_a_later_undated_mention_of_the_same_fight_is_the_same_event(parser):
    """"on Sunday" (the article's day) in one paragraph, no day in the next: one clash at Saraqib
    that day, dated precisely, not two (ACLED's unit: one place, one day, one type)."""
    text = ("Clashes broke out in Saraqib on Sunday, killing four fighters.\n\n"
            "The clashes in Saraqib also wounded ten people, a monitor said.")
    events = parser.extract(Article("m", text, published=PUBLISHED)).events
    assert len(events) == 1
    assert (events[0].event_date, events[0].time_precision) == (PUBLISHED, 1)
    alone = parser.extract(Article("m", text.split("\n\n")[0], published=PUBLISHED)).events
    assert events[0].event_id == alone[0].event_id  # the dated sentence's id, as before


def test_an_undated_mention_of_another_day_stays_apart(parser):
    text = ("Clashes broke out in Saraqib on Friday, killing four fighters.\n\n"
            "The clashes in Saraqib also wounded ten people, a monitor said.")
    events = parser.extract(Article("m", text, published=PUBLISHED)).events
    assert sorted((e.event_date, e.time_precision) for e in events) == [(dt.date(2014, 1, 3), 1), (PUBLISHED, 2)]


# -- places ------------------------------------------------------------------------------------------
def test_village_missing_from_gazetteer_is_reported_and_falls_back_to_governorate(parser):
    text = "Regime forces shelled the village of Kafr Zoubeydiyeh in the southern countryside of Idlib."
    result = parser.extract(Article("v", text, published=PUBLISHED))
    assert [m.text for m in result.unresolved] == ["Kafr Zoubeydiyeh"]
    event = result.events[0]
    assert event.admin1 == "Idlib" and event.geo_precision == 3
    assert text[event.place_start:event.place_end] == "Kafr Zoubeydiyeh"


@pytest.mark.parametrize("text,kind_precision", [
    ("Clashes erupted in the province of Hama.", 3),
    ("Clashes erupted in Hama province.", 3),
    ("Clashes erupted in the town of Hama.", 1),
    ("Clashes erupted in Hama city.", 1),
    ("Clashes erupted in the Hama countryside.", 3),
])
def test_name_that_is_also_a_governorate(parser, text, kind_precision):
    event = parser.extract(Article("g", text, published=PUBLISHED)).events[0]
    assert event.admin1 == "Hama"
    assert event.geo_precision == kind_precision


@pytest.mark.parametrize("text", [
    "The Islamic State of Iraq and the Levant issued a statement.",
    "A Damascus-based analyst said the talks would fail.",
    "The Syrian al-Watan newspaper reported on the economy.",
    "Fighting is expected to resume, officials said.",  # no place
    "Aleppo is the largest city in Syria.",  # a place but no event
    "Hamas leaders met in Doha.",
    "",
])
def test_negatives_give_no_event(parser, text):
    assert parser.extract(Article("n", text, published=PUBLISHED)).events == ()


def test_tiny_injected_gazetteer(tiny_gazetteer):
    from geo.extract.pipeline import Geoparser

    parser = Geoparser(tiny_gazetteer)
    events = parser.extract(Article("t", "Clashes erupted in Qaryat Beta in Aleppo province.", published=PUBLISHED)).events
    assert [(e.place_id, e.admin1) for e in events] == [("t:3", "Aleppo")]
    assert parser.extract(Article("t", "Clashes erupted in Manbij.", published=PUBLISHED)).events == ()


def test_arabic_and_transliterated_names_in_text(parser):
    events = parser.extract(Article("a", "Warplanes struck Ma'arrat al-Nu'man and Maarat al-Numaan again.",
                                    published=PUBLISHED)).events
    assert len(events) == 1 and events[0].admin1 == "Idlib"


def test_consequence_clause_is_fatalities_not_a_second_event(parser):
    text = "Regime helicopters dropped barrel bombs on Darayya on Tuesday, killing at least 12 people."
    events = parser.extract(Article("c", text, published=dt.date(2014, 1, 8))).events
    assert [(e.sub_event_type, e.fatalities, e.actor1) for e in events] == [
        ("Air/drone strike", 12, canonical_actor("Syrian government forces"))]


def test_downed_aircraft_is_not_an_air_strike(parser):
    events = parser.extract(Article("h", "Rebels shot down a helicopter near Hama airport.",
                                    published=PUBLISHED)).events
    assert [e.sub_event_type for e in events] == ["Disrupted weapons use"]
    assert events[0].geo_precision == 2  # near the town


def test_missing_actors_are_not_borrowed_from_other_paragraphs(parser):
    # (Two Iraqi towns: an article mostly about Syria drops places abroad without a cross-border cue.)
    text = ("Regime forces and rebels fought in Saraqib on Monday.\n\n"
            "In Iraq, militants seized parts of Fallujah and Ramadi last week.")
    events = parser.extract(Article("p", text, published=dt.date(2014, 1, 8))).events
    fallujah = next(e for e in events if e.country == "Iraq")
    assert fallujah.sub_event_type == "Non-state actor overtakes territory"
    assert (fallujah.actor1, fallujah.actor2) == ("", "")
