"""Context decides among namesakes far apart, strongest evidence first (issue 11): a direction from
a named place, a governorate named in the sentence, the sentence's other places, the article's
places; with no evidence the name stays unresolved or falls back to the governorate the namesakes
share. And places that are not where the event happened: an unnamed town "south of X", "just south
of X province", a body named for its town ("the Revolutionary Council of Homs"), a governorate-level
repeat of a town's event. Made-up villages and sentences written for this test."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.extract.pipeline import Geoparser
from geo.extract.resolve import lies_towards
from geo.gazetteer.gazetteer import Gazetteer
from geo.models import Article, Place

PUBLISHED = dt.date(2019, 5, 6)
GOVERNORATES = ("SY-ID", "SY-DY", "SY-HL", "SY-HM", "SY-HA")


@pytest.fixture(scope="module")
def namesakes(gazetteer: Gazetteer) -> Geoparser:
    """Real governorate polygons; made-up villages with namesakes far apart."""
    admin1 = [p for p in gazetteer.places if p.kind == "admin1" and p.admin1_code in GOVERNORATES]
    places = [
        *admin1,
        Place("c:idlib", "Idlib", "populated_place", "SY", 35.930, 36.634, "Idlib", "SY-ID", population=160_000),
        Place("c:saraqib", "Saraqib", "populated_place", "SY", 35.862, 36.806, "Idlib", "SY-ID", population=30_000),
        Place("c:deir", "Deir ez-Zor", "populated_place", "SY", 35.336, 40.141, "Deir ez-Zor", "SY-DY",
              population=200_000),
        # namesakes in two governorates, 340 km apart
        Place("v:zeyna-id", "Kafr Zeyna", "populated_place", "SY", 35.840, 36.740, "Idlib", "SY-ID"),
        Place("v:zeyna-dy", "Kafr Zeyna", "populated_place", "SY", 35.020, 40.480, "Deir ez-Zor", "SY-DY"),
        # namesakes in one governorate, east and west of its city
        Place("v:hamra-e", "Marj Hamra", "populated_place", "SY", 35.300, 40.600, "Deir ez-Zor", "SY-DY"),
        Place("v:hamra-w", "Marj Hamra", "populated_place", "SY", 35.420, 39.700, "Deir ez-Zor", "SY-DY"),
        # one village known by two names, the second shared with a far hamlet
        Place("v:nour", "Tell Nour", "populated_place", "SY", 36.300, 37.300, "Aleppo", "SY-HL",
              alt_names=("Nour Hill",)),
        Place("v:nour-hm", "Nour Hill", "populated_place", "SY", 35.100, 37.000, "Hama", "SY-HM"),
        # villages that share their names with people and battles
        Place("v:rahman", "Rahman", "populated_place", "SY", 36.000, 37.600, "Aleppo", "SY-HL"),
        Place("v:habeet", "Habeet", "populated_place", "SY", 35.500, 36.600, "Idlib", "SY-ID"),
        Place("v:zarqa", "Zarqa", "populated_place", "SY", 35.600, 36.700, "Idlib", "SY-ID"),
        Place("v:jihad", "Jihad", "populated_place", "SY", 36.800, 41.000, "Hasakah", "SY-HA"),
        # a mountain range and a far village named like it
        Place("r:qarn", "Jabal al-Qarn", "admin2", "SY", 35.700, 36.300, "Idlib", "SY-ID"),
        Place("v:qarn", "Qarn", "populated_place", "SY", 36.900, 40.900, "Hasakah", "SY-HA"),
        # a town far larger than its namesake, and a village near it whose name three villages share
        Place("c:salam", "Tell Salam", "populated_place", "SY", 35.000, 37.050, "Hama", "SY-HM", population=90_000),
        Place("v:salam-ha", "Tell Salam", "populated_place", "SY", 36.500, 40.700, "Hasakah", "SY-HA"),
        Place("v:qubbeh-hm", "Qubbeh", "populated_place", "SY", 35.050, 37.100, "Hama", "SY-HM"),
        Place("v:qubbeh-dy", "Qubbeh", "populated_place", "SY", 35.200, 40.000, "Deir ez-Zor", "SY-DY"),
        Place("v:qubbeh-hl", "Qubbeh", "populated_place", "SY", 36.300, 37.500, "Aleppo", "SY-HL"),
        # two villages whose names differ in one vowel, in two governorates
        Place("v:qarm-hm", "Qarmaniyah", "populated_place", "SY", 35.420, 36.620, "Hama", "SY-HM"),
        Place("v:qurm-ha", "Qurmaniyah", "populated_place", "SY", 36.700, 40.900, "Hasakah", "SY-HA"),
        # three namesakes: north and south of Deir ez-Zor city, and across the border north of it
        # (the southern one nearer the city: nearness alone would pick it)
        Place("v:bara-n", "Tell Bara", "populated_place", "SY", 35.950, 40.200, "Deir ez-Zor", "SY-DY"),
        Place("v:bara-s", "Tell Bara", "populated_place", "SY", 35.150, 40.250, "Deir ez-Zor", "SY-DY"),
        Place("v:bara-ha", "Tell Bara", "populated_place", "SY", 36.450, 40.050, "Hasakah", "SY-HA"),
        # a seat abroad that the gazetteer ranks first, and two Syrian villages named alike
        Place("x:tamra", "Ain Tamra", "populated_place", "LB", 33.900, 35.700, "Mount Lebanon", "LB-JL",
              feature_code="PPLA3"),
        Place("v:tamra", "Ain Tamra", "populated_place", "SY", 35.700, 36.500, "Idlib", "SY-ID"),
        Place("v:tamra-hm", "Ain Tamra", "populated_place", "SY", 35.200, 36.900, "Hama", "SY-HM"),
    ]
    units = [u for u in gazetteer.admin1_units if u.code in GOVERNORATES]
    return Geoparser(Gazetteer.from_places(places, units))


def _events(parser: Geoparser, text: str):
    return parser.extract(Article("t", text, published=PUBLISHED)).events


def _ids(parser: Geoparser, text: str) -> list[str]:
    return [e.place_id for e in _events(parser, text)]


@pytest.mark.parametrize("text, expected", [
    ("Shelling killed two in Marj Hamra in the eastern countryside of Deir ez-Zor.", "v:hamra-e"),
    ("Shelling killed two in Marj Hamra in the western countryside of Deir ez-Zor.", "v:hamra-w"),
    ("Shelling killed two in Marj Hamra, east of Deir ez-Zor.", "v:hamra-e"),
    ("Warplanes struck Kafr Zeyna in Idlib province, killing three.", "v:zeyna-id"),
    ("Warplanes struck Kafr Zeyna in the Deir ez-Zor countryside, killing three.", "v:zeyna-dy"),
    ("Clashes in Saraqib and Kafr Zeyna killed four fighters.", "v:zeyna-id"),
    ("Clashes near Deir ez-Zor and in Kafr Zeyna killed four fighters.", "v:zeyna-dy"),
])
def test_context_decides_among_namesakes(namesakes, text, expected):
    assert expected in _ids(namesakes, text)


def test_article_places_decide_when_the_sentence_does_not(namesakes):
    text = "Fighting raged in Saraqib on Monday.\n\nLater, shelling on Kafr Zeyna killed two children."
    assert "v:zeyna-id" in _ids(namesakes, text)


def test_a_name_the_article_also_gives_unambiguously_is_that_place(namesakes):
    text = "Rebels shelled Tell Nour on Monday, killing one.\n\nLater, an airstrike near Nour Hill killed three."
    ids = _ids(namesakes, text)
    assert "v:nour" in ids and "v:nour-hm" not in ids


def test_namesakes_in_two_governorates_without_context_give_no_place(namesakes):
    events = _events(namesakes, "Clashes in Kafr Zeyna killed four fighters.")
    assert [e.place_id for e in events if e.place_id.startswith("v:")] == []


def test_namesakes_in_one_governorate_fall_back_to_it(namesakes):
    events = _events(namesakes, "Shelling killed two in Marj Hamra.")
    assert [(e.admin1, e.geo_precision) for e in events] == [("Deir ez-Zor", 3)]


@pytest.mark.parametrize("origin, target, direction, expected", [
    ((35.0, 40.0), (35.0, 40.5), "east", True),
    ((35.0, 40.0), (35.0, 39.5), "east", False),
    ((35.0, 40.0), (34.6, 39.6), "south-west", True),
    ((35.0, 40.0), (37.0, 40.0), "north", False),  # too far to be "north of" it
])
def test_lies_towards(origin, target, direction, expected):
    assert lies_towards(origin, target, direction) is expected


# -- not event places (the real shipped gazetteer) -------------------------------------------------

def test_unnamed_town_south_of_a_city_is_in_the_governorate_that_way(parser):
    events = _events(parser, "A car bomb killed five people in a town south of Damascus on Monday.")
    assert [(e.admin1, e.geo_precision) for e in events] == [("Rural Damascus", 3)]
    assert "south of Damascus" in events[0].location_detail


def test_a_place_just_outside_a_province_is_not_in_it(parser):
    events = _events(parser, "Troops seized several villages just south of Idlib province on Monday.")
    assert all(e.admin1 != "Idlib" for e in events)


def test_the_south_of_a_province_is_in_it(parser):
    events = _events(parser, "Shelling hit the south of Idlib province on Monday, killing two.")
    assert [e.admin1 for e in events] == ["Idlib"]


@pytest.mark.parametrize("text", [
    "The Revolutionary Council of Homs said shelling killed 30 people in Rastan.",
    "Fighters of the Martyrs of Homs Brigade shelled Rastan, killing two.",
])
def test_a_body_named_for_its_town_is_not_an_event_place(parser, text):
    assert [e.location for e in _events(parser, text)] == ["Ar Rastan"]


@pytest.mark.parametrize("text", [
    "Shelling hit the countryside of Aleppo, Hama and Idlib on Monday.",
    "Shelling hit Aleppo, Hama and Idlib countryside on Monday.",
    "Shelling hit Aleppo, Hama and Idlib provinces on Monday.",
])
def test_a_list_of_governorates_shares_its_countryside(parser, text):
    events = _events(parser, text)
    assert sorted((e.admin1, e.geo_precision) for e in events) == [("Aleppo", 3), ("Hama", 3), ("Idlib", 3)]


def test_a_governorate_level_repeat_of_a_town_event_is_dropped(parser):
    text = ("Shelling hit the Idlib countryside on Monday.\n\n"
            "In Saraqib, shelling killed four people on Monday.")
    events = _events(parser, text)
    assert [e.location for e in events] == ["Saraqib"]


@pytest.mark.parametrize("text", [
    "Shelling killed five in Saraqib, said Omar Abdel Rahman, who heads the monitor.",
    "Sheikh Ahmad al-Habeet said shelling killed five in Saraqib.",
    "Rebels launched the al-Zarqa Battle on Monday and shelled Saraqib, killing five.",
])
def test_people_and_named_operations_are_not_places(namesakes, text):
    assert set(_ids(namesakes, text)) == {"c:saraqib"}


def test_a_bare_governorate_name_is_the_governorate_where_the_article_uses_it_so(parser):
    text = ("Rockets hit Hama and Aleppo on Monday.\n\n"
            "Rockets struck Kafr Zita in Hama's countryside on Monday, killing two.")
    events = _events(parser, text)
    city = next(p for p in parser.gazetteer.exact("Hama") if p.kind == "populated_place")
    hama = [e for e in events if e.admin1 == "Hama"]
    assert city.place_id not in {e.place_id for e in hama}, "the headline's Hama is the governorate"
    assert len(hama) == 1 and hama[0].geo_precision == 1, "the governorate is the village's event said vaguely"


def test_a_bare_governorate_name_alone_is_its_city(parser):
    events = _events(parser, "Rockets hit Hama on Monday, killing two.")
    assert [(e.admin1, e.geo_precision) for e in events] == [("Hama", 1)]


def test_a_described_place_where_shooters_were_is_not_an_event(parser):
    text = "Gunmen located in the de-escalation zone fired rockets on Kafr Zita on Monday, killing two."
    assert [e.admin1 for e in _events(parser, text)] == ["Hama"]


@pytest.mark.parametrize("text", [
    "Clashes broke out between rebels and factions from Deir ez-Zor in the town of Saraqib on Monday.",
    "Shells fired from the northern Hama countryside hit Saraqib, killing two.",
    "Rebels came from Idlib and attacked Saraqib, killing two.",
    "The artillery fire, which originated from Deir ez-Zor, hit Saraqib on Monday.",
    "Regime forces shelled Saraqib from their positions in Idlib, killing two.",
    "Artillery targeted the outskirts of Saraqib from Deir ez-Zor on Monday.",
])
def test_where_fighters_or_fire_came_from_is_not_an_event_place(parser, text):
    assert {e.location for e in _events(parser, text)} == {"Saraqib"}


def test_a_group_adjective_is_not_a_village(namesakes):
    text = "Rocket shelling by the Jihadi groups killed two people in Hasakah province on Monday."
    assert "v:jihad" not in _ids(namesakes, text)


def test_a_loose_match_the_text_calls_a_village_is_taken(namesakes):
    text = "Shelling on Habbeit village killed two people on Monday."
    assert "v:habeet" in _ids(namesakes, text)


@pytest.mark.parametrize("text, actors", [
    ("Fighters of Liwa al-Quds clashed with rebels in Saraqib, killing four.",
     ("Liwa al-Quds", "Opposition Rebels (Syria)")),
    ("Clashes between Ahrar al-Sham and Jaysh al-Sunna in Saraqib killed two.", ("Ahrar al Sham", "Jaysh al-Sunna")),
])
def test_a_group_named_in_arabic_is_the_actor(parser, text, actors):
    events = _events(parser, text)
    assert [(e.actor1, e.actor2) for e in events] == [actors]


@pytest.mark.parametrize("text, expected", [
    ("Shelling killed two men at Qermaniyah frontline in northern Hama on Monday.", "v:qarm-hm"),
    ("Shelling killed two men at Qermaniyah frontline in northern Hasakah on Monday.", "v:qurm-ha"),
    ("Shelling killed two men in Qermaniyah, in the Hasakah countryside, on Monday.", "v:qurm-ha"),
])
def test_a_loose_spelling_is_the_reading_in_the_governorate_the_text_names(namesakes, text, expected):
    """Two spellings match "Qermaniyah" equally well; the governorate named beside it decides, and
    the event's place span is the name, not the English "at" before it."""
    events = _events(namesakes, text)
    assert events[0].place_id == expected
    assert text[events[0].place_start:events[0].place_end] == "Qermaniyah"


@pytest.mark.parametrize("text", [
    "Warplanes struck Saraqib in southern Idlib on Monday, killing three.",
    "Warplanes struck Saraqib, in southern Idlib, on Monday, killing three.",
    "Warplanes struck the Saraqib front in the south-eastern Idlib countryside on Monday, killing three.",
])
def test_the_part_of_a_governorate_a_town_lies_in_is_its_address(parser, text):
    events = _events(parser, text)
    assert [(e.location, e.admin1, e.geo_precision) for e in events] == [("Saraqib", "Idlib", 1)]


def test_a_governorate_written_as_a_towns_address_is_not_a_second_event(parser):
    events = _events(parser, "The Shuhada al-Yarmouk brigade shelled Tafas in Daraa on Monday.")
    assert [(e.admin1, e.geo_precision, e.actor1) for e in events] == [("Daraa", 1, "Shuhada al-Yarmouk")]
    assert events[0].location != "Dar‘ā"


def test_neighbourhoods_named_like_villages_are_quarters_of_their_city(parser):
    """Two Aleppo quarters that share their names with villages elsewhere (here: "Saraqib" and
    "Binnish", both real towns of Idlib, standing in for such quarters)."""
    text = "Rockets hit the residential neighbourhoods of Saraqib and Binnish in Aleppo on Monday, killing seven."
    events = _events(parser, text)
    assert [(e.admin1, e.geo_precision) for e in events] == [("Aleppo", 2)]
    assert "neighbourhood" in events[0].location_detail


def test_a_town_named_inside_a_quarters_name_is_not_the_town(parser):
    """"Bab Tadmur" is a quarter of Homs, not Tadmur (Palmyra); "Qasr al-Tell" a quarter, not the
    town of al-Tell 100 km away."""
    events = _events(parser, "Shelling hit the Bab Tadmur district of Homs on Monday, killing two.")
    assert [(e.location, e.geo_precision) for e in events] == [("Homs", 2)]
    assert "Bab Tadmur" in events[0].location_detail
    text = "A car bomb killed 12 people in Sweida on Friday. A second bomb struck the Qasr al-Tell neighbourhood."
    assert {e.admin1 for e in _events(parser, text)} == {"Suwayda"}


def test_a_districts_whole_name_is_still_its_town(parser):
    assert [e.location for e in _events(parser, "Clashes broke out in the Jisr al-Shughur district on Monday.")] \
        == ["Jisr ash Shughūr"]


def test_a_place_abroad_in_a_paragraph_of_an_article_about_syria_is_not_an_event(parser):
    text = ("Rebels stormed Saraqib on Monday, killing four soldiers.\n\n"
            "The fighting came a day after a truce ended a 50-day battle in Beirut.")
    assert {e.country for e in _events(parser, text)} == {"Syria"}


def test_a_bomb_that_went_off_is_an_explosion(parser):
    events = _events(parser, "A bomb went off at a market in Saraqib on Monday morning.")
    assert [(e.location, e.event_type) for e in events] == [("Saraqib", "Explosions/Remote violence")]


@pytest.mark.parametrize("text, deaths", [
    ("Dozens were killed in clashes in Saraqib on Monday.", 12),
    ("Clashes in Saraqib killed hundreds of fighters on Monday.", 100),
    ("Shelling on Saraqib killed six civilians, including two children, on Monday.", 6),
    ("Shelling on Saraqib killed at least 25 people on Monday.", 25),
])
def test_fatalities_read_as_acled_does(parser, text, deaths):
    assert [e.fatalities for e in _events(parser, text)] == [deaths]


def test_a_number_inside_a_word_is_not_a_death_count(parser):
    events = _events(parser, "Someone killed in the shelling of Saraqib on Monday, report R3530 said.")
    assert [e.fatalities for e in events] == [None], "no \"one killed\" inside \"Someone killed\""


@pytest.mark.parametrize("text", [
    "Rebels shelled army posts in the al-Qarn Mountains on Monday, killing two.",
    "Rebels shelled army posts in the Qarn mountain on Monday, killing two.",
])
def test_a_mountain_range_is_not_the_village_named_like_it(namesakes, text):
    assert _ids(namesakes, text) == ["r:qarn"]


def test_a_village_named_like_a_range_is_still_the_village(namesakes):
    assert _ids(namesakes, "Rebels shelled Qarn village on Monday, killing two.") == ["v:qarn"]


@pytest.mark.parametrize("text", [
    "An explosion in al-Qoubeh in the Tell Salam countryside killed six people on Monday.",
    "An explosion in al-Qoubeh village near Tell Salam killed six people on Monday.",
])
def test_a_town_that_means_one_place_on_its_own_places_the_loose_spelling_beside_it(namesakes, text):
    """"Tell Salam" has a namesake, but the large town is the one a bare name means: it supports
    its governorate and its point, so "al-Qoubeh" is the Qubbeh beside it, not one of the other two."""
    assert _ids(namesakes, text)[0] == "v:qubbeh-hm"


@pytest.mark.parametrize("text, expected", [
    ("Shelling killed two in Tell Bara in the northern countryside of Deir ez-Zor.", "v:bara-n"),
    ("Shelling killed two in Tell Bara in the southern countryside of Deir ez-Zor.", "v:bara-s"),
])
def test_a_direction_from_a_governorates_city_picks_the_namesake_in_that_governorate(namesakes, text, expected):
    """North of Deir ez-Zor city lie a Tell Bara of its governorate and one across the border in
    Hasakah (a third lies south of the city, nearer): "the northern countryside of Deir ez-Zor" is
    the governorate's."""
    assert _ids(namesakes, text)[0] == expected


def test_a_namesake_abroad_ranked_first_does_not_hide_the_syrian_village(namesakes):
    """The gazetteer ranks a Lebanese seat named "Ain Tamra" first; the sentence names Idlib."""
    assert _ids(namesakes, "Warplanes struck Ain Tamra in Idlib province, killing three.")[0] == "v:tamra"


def test_a_place_abroad_with_no_syrian_context_stays_abroad(namesakes):
    """No Syrian governorate or place in the text: the first-ranked reading is not swapped for the
    Syrian namesake (the text gives no reason to)."""
    assert "v:tamra" not in _ids(namesakes, "Protesters gathered in Ain Tamra on Monday.")


@pytest.mark.parametrize("text", [
    "Sheikh Ahmad al-Habeet was killed by a car bomb in Saraqib on Monday.\n\n"
    "On Tuesday, supporters of Habeet protested, and Habeet's brother was arrested.",
    "President Omar al-Zarqa visited Saraqib on Monday. Gunmen shot at Zarqa's convoy, killing two guards.",
])
def test_a_person_named_in_full_is_the_same_person_by_family_name_alone(namesakes, text):
    """The family name alone, later in the text, is still the person: not the village named alike."""
    ids = _ids(namesakes, text)
    assert "v:habeet" not in ids and "v:zarqa" not in ids and "c:saraqib" in ids


def test_a_village_named_like_no_one_in_the_text_is_still_the_village(namesakes):
    text = "Sheikh Ahmad al-Habeet was killed in Saraqib on Monday. On Tuesday, shelling hit Zarqa, killing two."
    assert "v:zarqa" in _ids(namesakes, text)


@pytest.mark.parametrize("headline", ["Scores die in Kurdish town as fighters storm it",
                                      "Druze neighbourhood shelled by Syrian army",
                                      "Rebels seize Key Town after week of fighting"])
def test_a_peoples_or_a_headlines_adjective_names_no_town(parser, headline):
    """"Kurdish town", "Syrian army", "Key Town": no town named "Kurdish" (or "Key") to report as
    missing and fall back to a governorate for; the body's place is the event's."""
    text = headline + "\n\nFighters attacked Saraqib on Thursday, killing 20."
    result = parser.extract(Article("h", text, published=PUBLISHED))
    assert [e.location for e in result.events] == ["Saraqib"]
    assert not result.unresolved


def test_a_name_head_word_before_a_capitalised_word_is_a_longer_name_not_the_town_called_so(parser):
    """"the town of Tel Shehab" (a name the gazetteer lacks) is not the town of al-Tell, 80 km away:
    the event falls back to the governorate the sentence names."""
    text = "The body was dumped in the town of Tel Shehab after he was murdered by gunmen in Daraa province."
    result = parser.extract(Article("t", text, published=PUBLISHED))
    assert {e.admin1 for e in result.events} == {"Daraa"}
    assert [m.text for m in result.unresolved] == ["Tel Shehab"]


def test_a_head_word_that_is_the_whole_name_is_still_the_town(parser):
    assert [e.location for e in _events(parser, "Shelling hit the town of al-Tell, killing two.")] == ["At Tall"]


@pytest.mark.parametrize("text", ["Rebels attacked regime positions at Tal al-Habeet in Idlib province.",
                                  "Shelling hit the Khirbet Habeet area in Idlib province, killing two."])
def test_a_landmark_named_after_a_village_lies_by_the_village(namesakes, text):
    """"Tal al-Habeet" (the hill of Habeet), which the gazetteer lacks: the event is by Habeet
    (precision 2), the landmark kept in location_detail; not the governorate alone."""
    events = _events(namesakes, text)
    assert [(e.place_id, e.geo_precision) for e in events] == [("v:habeet", 2)]
    assert "Habeet" in events[0].location_detail and events[0].location_detail.split()[0] in ("Tal", "Khirbet")


@pytest.mark.parametrize("text, expected", [
    ("Rebels attacked regime positions in northern Hama on Monday.", ("Ḩamāh", 2)),
    ("Shelling hit southern Idlib, killing two.", ("Idlib", 2)),
    ("Shelling hit northern Hama city, killing two.", ("Ḩamāh", 1)),
    ("Clashes raged in Hama province on Sunday.\n\nOn Monday rebels attacked positions in northern Hama.",
     ("Hama", 3)),
])
def test_the_part_of_an_area_is_near_its_town_not_at_it(parser, text, expected):
    """"In northern Hama" is placed as ACLED places "north of Hama": at the town, precision 2 (not the
    city itself); "northern Hama city" is the city; where the article uses Hama as the governorate,
    the governorate."""
    events = _events(parser, text)
    assert (events[-1].location, events[-1].geo_precision) == expected


@pytest.mark.parametrize("text", [
    "Clashes erupted near the administrative border of Homs on Monday.",
    "Clashes continue in Wadi Farhoun area on the border of Hama between the army and ISIS.",
    "Shelling hit the western edge of Idlib, killing two.",
])
def test_a_towns_border_or_edge_is_near_it_not_at_it(parser, text):
    """"On the border of Hama", "the edge of Idlib": by the town (precision 2, as "near"), not a
    claim that the event was in it."""
    events = _events(parser, text)
    assert [e.geo_precision for e in events] == [2]


def test_a_neighbourhood_is_not_a_village_a_loose_spelling_finds(parser):
    """"The government-held Midan neighbourhood" is a city's quarter; the village Ma'dan, which a
    loose spelling finds 300 km away, is not where the shells fell."""
    events = _events(parser, "Rebels shelled the government-held Midan neighbourhood on Monday.")
    assert not any(e.admin1 == "Raqqa" for e in events)


@pytest.mark.parametrize("text, expected", [
    ("Regime forces shelled Qermaniyah in Hama province on Monday.", True),
    ("Regime forces stormed Qermaniyah in Hama province on Monday.", True),
    ("Regime forces shelled Qermaniyah on Monday.", False),  # two spellings far apart, nothing to choose
])
def test_the_object_of_an_attack_is_where_a_loose_spelling_is_looked_for(namesakes, text, expected):
    """"Shelled X" says X is a place, as "in X" does: a loose spelling is looked for there, and still
    needs the text's support (here the governorate) to be taken."""
    assert ("v:qarm-hm" in _ids(namesakes, text)) is expected

