"""Canonical actors: one ACLED-style name per actor, with the aliases that texts, ACLED and UCDP
use, and ACLED's interaction code from the actors' categories.

``canonical_actor("ISIS")`` -> ``"Islamic State (Syria)"``; ``canonical_actor("QSD")`` ->
``"SDF: Syrian Democratic Forces"``. A name that is not known is returned tidied (spaces) but
unchanged, so an import never loses an actor it does not recognise.

ACLED's actor categories (inter1/inter2): 1 state forces, 2 rebel groups, 3 political militias,
4 identity militias, 5 rioters, 6 protesters, 7 civilians, 8 external/other forces (a foreign
state's forces acting in Syria are 8). The interaction code is the two categories, smaller
first (12: state forces vs rebels, 17: state forces vs civilians), or the one category times ten
when there is no second actor (10, 20...).

Both the extractor (:mod:`geo.extract.lexicon` finds the actors in text and names them with these
canonical names) and the ACLED/UCDP imports call :func:`canonical_actor` and
:func:`interaction_code`, so that the dashboard's actor filter lists one name per actor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Actor:
    name: str  # canonical, ACLED-style
    category: int  # ACLED inter code, 1-8
    aliases: tuple[str, ...]


SYRIA_STATE = "Military Forces of Syria (2000-)"
ISLAMIC_STATE = "Islamic State (Syria)"
HTS = "Hayat Tahrir al Sham"
SDF = "SDF: Syrian Democratic Forces"
REBELS = "Opposition Rebels (Syria)"
CIVILIANS = "Civilians (Syria)"
UNIDENTIFIED = "Unidentified Armed Group (Syria)"

ACTORS: tuple[Actor, ...] = (
    Actor(SYRIA_STATE, 1, ("Syrian government forces", "Syrian government", "Government of Syria", "regime",
                           "regime forces", "regime troops", "Syrian regime", "Syrian regime forces", "SAA",
                           "Syrian Arab Army", "Syrian army", "Syrian troops", "Syrian soldiers", "Assad forces",
                           "government forces", "pro-government forces", "Syrian Air Force", "NDF",
                           "National Defence Forces", "National Defense Forces", "Tiger Forces",
                           "Republican Guard", "Fourth Division", "Military Forces of Syria",
                           "Syrian warplanes", "Syrian aircraft", "Syrian artillery", "Syrian helicopters")),
    Actor(ISLAMIC_STATE, 2, ("IS", "ISIL", "ISIS", "Daesh", "Daish", "Da'esh", "Islamic State",
                             "Islamic State (ISIL)", "Islamic State of Iraq and the Levant",
                             "Islamic State of Iraq and Syria", "Islamic State of Iraq and al-Sham")),
    Actor(HTS, 2, ("HTS", "Hayat Tahrir al-Sham", "Hay'at Tahrir al-Sham", "Hayat Tahrir al-Sham (HTS)",
                   "Tahrir al-Sham", "Nusra", "Nusra Front", "al-Nusra Front", "Jabhat al-Nusra", "Jabhat al Nusra",
                   "Jabhat Fateh al-Sham", "Jabhat Fateh al Sham", "Fateh al-Sham")),
    Actor(SDF, 2, ("SDF", "QSD", "Syrian Democratic Forces", "Syrian Democratic Forces (SDF)",
                   "Manbij Military Council")),
    Actor("YPG: Peoples Protection Units", 2, ("YPG", "YPJ", "People's Protection Units",
                                               "Peoples Protection Units", "Kurdish forces", "Kurdish fighters")),
    Actor("Free Syrian Army", 2, ("FSA", "Free Syrian Army")),
    Actor("Syrian National Army", 2, ("SNA", "Syrian National Army", "Turkish-backed factions",
                                      "Turkey-backed factions", "National Army")),
    Actor("Ahrar al Sham", 2, ("Ahrar al-Sham", "Harakat Ahrar al-Sham")),
    Actor("Jaish al Islam", 2, ("Jaish al-Islam", "Jaysh al-Islam", "Army of Islam")),
    Actor("Islamic Front", 2, ("Islamic Front",)),
    Actor(REBELS, 2, ("Syrian opposition", "opposition", "rebels", "rebel", "rebel groups", "opposition forces",
                      "opposition fighters", "insurgents", "armed factions", "Syrian insurgents",
                      "National Liberation Front", "NLF", "Southern Front")),
    Actor("Hezbollah", 3, ("Hezbollah", "Hizbollah", "Hizballah", "Hizbullah")),
    Actor(UNIDENTIFIED, 3, ("Unidentified armed group", "unidentified gunmen", "unknown gunmen", "gunmen")),
    Actor("Military Forces of Russia (2000-)", 8, ("Russian forces", "Russia", "Russian military",
                                                   "Russian warplanes", "Russian aircraft", "Government of Russia")),
    Actor("Military Forces of Turkey (2016-)", 8, ("Turkish forces", "Turkey", "Turkish army", "Turkish military",
                                                   "Turkish artillery", "Government of Turkey")),
    Actor("Military Forces of Iran (1989-)", 8, ("Iranian forces", "Iran", "IRGC", "Iranian militias",
                                                 "Iran-backed militias", "Government of Iran")),
    Actor("Military Forces of Israel (1948-)", 8, ("Israeli forces", "Israel", "Israeli army", "Israeli military",
                                                   "IDF", "Israeli warplanes", "Government of Israel")),
    Actor("Military Forces of the United States", 8, ("US forces", "American forces", "U.S. forces",
                                                      "Government of United States of America")),
    Actor("Coalition: Global Coalition Against Daesh", 8, ("International coalition", "US-led coalition",
                                                           "coalition", "international coalition",
                                                           "Global Coalition Against Daesh")),
    Actor("Rioters (Syria)", 5, ("rioters",)),
    Actor("Protesters (Syria)", 6, ("protesters", "demonstrators")),
    Actor(CIVILIANS, 7, ("Civilians", "civilians", "residents", "villagers")),
)

_BY_NAME = {a.name: a for a in ACTORS}


def _key(name: str) -> str:
    return re.sub(r"[\s\-_'’]+", " ", name.strip().casefold()).strip()


_ALIASES: dict[str, str] = {}
for _actor in ACTORS:
    for _alias in (_actor.name, *_actor.aliases):
        _ALIASES.setdefault(_key(_alias), _actor.name)


@lru_cache(maxsize=20_000)
def canonical_actor(name: str) -> str:
    """The canonical (ACLED-style) name of an actor; an unknown name comes back tidied, else as is.

    Matching ignores case, hyphens and apostrophes; ``"Islamic State (ISIL)"`` and ``"ISIS"``
    are the same actor. ACLED's own names map to themselves; an ACLED/UCDP name with a
    country in brackets that is not listed (``"Civilians (Lebanon)"``) stays as it is.
    """
    if not isinstance(name, str):
        return ""
    tidy = " ".join(name.split())
    if not tidy:
        return ""
    found = _ALIASES.get(_key(tidy))
    if found:
        return found
    # "Military Forces of Syria (2011-2024)", "Government of Syria - Bashar al-Assad": the
    # state's forces whatever the period or the leader named after them.
    stem = re.sub(r"\s*(?:\([^)]*\)|[-:–].*)$", "", tidy)
    return _ALIASES.get(_key(stem), tidy) if stem != tidy else tidy


def actor_category(name: str) -> int | None:
    """ACLED's inter code (1-8) of an actor, None when it is not known."""
    actor = _BY_NAME.get(canonical_actor(name))
    if actor is not None:
        return actor.category
    low = name.casefold()
    if low.startswith(("military forces of", "police forces of")):
        return 8  # another state's forces acting in Syria
    if low.startswith("civilians"):
        return 7
    if low.startswith("protesters"):
        return 6
    if low.startswith("rioters"):
        return 5
    return None


def interaction_code(actor1: str, actor2: str) -> int | None:
    """ACLED's interaction code for two actors (actor2 may be empty), None when actor1's
    category is unknown (or actor2 is named but unknown)."""
    first = actor_category(actor1) if actor1 else None
    if first is None:
        return None
    if not actor2 or not actor2.strip():
        return first * 10
    second = actor_category(actor2)
    if second is None:
        return None
    low, high = sorted((first, second))
    return low * 10 + high
