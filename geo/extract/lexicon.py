"""Word lists: event triggers mapped to ACLED types, armed actors and their aliases, and names
that look like places but are not event locations.

Patterns are compiled once into a few alternations; each alternation is searched once per
text (the regex engine does the multi-pattern work), not once per word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from geo.alternation import Alternation, trie
from geo.extract.actors import SYRIA_STATE, canonical_actor
from geo.words import CASE_ODD


@dataclass(frozen=True, slots=True)
class Trigger:
    event_type: str
    sub_event_type: str
    priority: int  # higher wins when several triggers of one type share a place and date
    pattern: str


_W = r"(?<![\w-])"  # start of a word
_E = r"(?![\w])"  # end of a word

# Order matters only through priority. Patterns are case-insensitive.
TRIGGERS: tuple[Trigger, ...] = (
    # Explosions / remote violence
    Trigger("Explosions/Remote violence", "Suicide bomb", 90,
            r"suicid(?:e|al)[\s-](?:car[\s-])?(?:bomb(?:er|ers|ing|ings|s)?|attack(?:er|ers|s)?|vbieds?|operations?)|"
            r"blew (?:himself|herself|themselves) up|detonat(?:es|ed) (?:himself|herself)"),
    Trigger("Explosions/Remote violence", "Chemical weapon", 88,
            r"chemical (?:weapons?|attacks?|strikes?)|chlorine|sarin|toxic gas(?:es)?|poison gas"),
    Trigger("Explosions/Remote violence", "Air/drone strike", 80,
            r"air[\s-]?strikes?|air[\s-]?raids?|airstrikes?|raids?|warplanes?|war planes?|jets?|fighter jets?|"
            r"helicopters?|barrel[\s-]bombs?|drones?|aerial (?:bombardment|attacks?)|bombed by (?:war)?planes|"
            r"(?:air|aerial) bombardment|air force|"
            # "Israeli strikes", "coalition strikes": a state's strikes are from the air ("strikes"
            # alone may be workers')
            r"(?:Israeli|Russian|Turkish|US|U\.S\.|American|coalition|allied|regime|Syrian|Iranian|Jordanian|"
            r"Iraqi|French|British)\s+(?:air\s+)?strikes?|"
            r"(?:carri(?:ed|es) out|carrying out|conduct(?:ed|s|ing)|launch(?:ed|es|ing))\s+"
            r"(?:\d+\s+|dozens of\s+|several\s+|more\s+|new\s+)?strikes"),
    Trigger("Explosions/Remote violence", "Remote explosive/landmine/IED", 75,
            r"car[\s-]bombs?|booby[\s-]trapped|ieds?|improvised explosive|roadside bombs?|land[\s-]?mines?|mines?|"
            r"explosive devices?|explosions?|exploded|explodes|blasts?|bombings?|detonat(?:ed|ion)|motorcycle bomb|"
            r"bombs?\s+(?:\w+\s+){0,5}?(?:went|goes|go)\s+off"),
    Trigger("Explosions/Remote violence", "Shelling/artillery/missile attack", 78,
            r"shell(?:s|ed|ing)?|artillery|mortars?|rockets?|missiles?|bombard(?:ed|ment|ing)|cannons?|"
            r"hell cannon|grad|surface[\s-]to[\s-]surface|tank fire|projectiles?"),
    # Battles
    Trigger("Battles", "Government regains territory", 70,
            r"recaptur(?:e|ed|es|ing)|retook|retake[ns]?|regain(?:ed|s)? (?:control|full control)|re-?took"),
    Trigger("Explosions/Remote violence", "Shelling/artillery/missile attack", 35,
            r"target(?:s|ed|ing)?|hit(?:s|ting)?|pound(?:s|ed|ing)|bomb(?:s|ed|ing)"),
    Trigger("Battles", "Non-state actor overtakes territory", 65,
            r"seiz(?:e|ed|es|ing)|captur(?:e|ed|es|ing)|took (?:over|control)|tak(?:e|es|ing) (?:over|control)|"
            r"overr(?:an|un|uns)|pushed (?:\w+ )?out|push(?:es|ing)? (?:\w+ )?out|dr(?:o|i)ve[ns]? (?:\w+ )?out|"
            r"expel(?:led|s)?|control (?:of|over)|advanc(?:e|ed|es|ing) (?:in|into|on|towards?)|"
            r"(?:withdr(?:ew|awn|aw)|retreat(?:ed|s)?) from|fell to|storm(?:ed|s)?|advancement|advanc(?:e|ed|es|ing)"),
    Trigger("Battles", "Armed clash", 60,
            r"clash(?:es|ed|ing)?|fighting|fought|fights?|battl(?:e|es|ed|ing)|firefights?|gunfights?|"
            r"skirmish(?:es)?|ambush(?:ed|es)?|offensive|counter-?attacks?|exchange of fire|engagements?|"
            r"confrontations?|attack(?:s|ed|ing)? (?:on )?(?:the )?positions|infighting|combat|"
            r"military operations? (?:against|on|in)"),
    # Violence against civilians
    Trigger("Violence against civilians", "Abduction/forced disappearance", 55,
            r"kidnap(?:ped|ping|pings|s)?|abduct(?:ed|ion|ions|s)?|taken hostage|hostages?|forcibly disappeared"),
    Trigger("Violence against civilians", "Attack", 50,
            r"execut(?:ed|es|ion|ions|ing)|massacres?|shot dead|gunned down|murder(?:ed|s)?|behead(?:ed|ing|s)?|"
            r"slaughter(?:ed)?|assassinat(?:e|ed|ion|ions|es|ing)|kill(?:ed|ing|s)?|tortur(?:ed|e)|dead|died|"
            r"casualt(?:y|ies)|causalities|losses|martyrs?|death toll|victims?|wounded|injur(?:ed|ies|ing)|"
            r"attack(?:s|ed|ing)?|bodies"),
    # Protests and riots
    Trigger("Protests", "Peaceful protest", 40,
            r"protest(?:s|ed|ers|ors|ing)?|demonstrat(?:ion|ions|ors|ed|ing)|rall(?:y|ies)|sit-ins?|marche[ds]"),
    Trigger("Riots", "Violent demonstration", 42, r"riot(?:s|ed|ers|ing)?|mob"),
    # Strategic developments
    Trigger("Strategic developments", "Arrests", 30, r"arrest(?:ed|s|ing)?|detain(?:ed|s)?|detention"),
    Trigger("Strategic developments", "Agreement", 28,
            r"ceasefire|cease-fire|truce|reconciliation (?:deal|agreement)|agreement|deal"),
    Trigger("Strategic developments", "Non-violent transfer of territory", 27,
            r"handed over|hand(?:s|ing)? over|evacuat(?:ed|ion)|surrender(?:ed|s)?"),
    Trigger("Strategic developments", "Looting/property destruction", 26,
            r"loot(?:ed|ing)|burn(?:ed|t) (?:down )?(?:houses|homes|crops)|demolish(?:ed|es)|bulldoz(?:ed|ing)"),
    Trigger("Strategic developments", "Disrupted weapons use", 25,
            r"defus(?:ed|es|ing)|dismantl(?:ed|es|ing)|intercept(?:ed|s)|shot down|downed|thwart(?:ed|s)|foil(?:ed|s)"),
)

# Words for violence that a more specific trigger in the same clause explains: "warplanes kill 5"
# is one air strike with 5 dead, not an air strike and a killing.
GENERIC_VIOLENCE = frozenset({("Violence against civilians", "Attack")})
GENERIC_ATTACK_WORDS = re.compile(
    r"^(?:kill(?:ed|ing|s)?|dead|died|massacres?|casualt(?:y|ies)|causalities|losses|martyrs?|death toll|"
    r"victims?|wounded|injur(?:ed|ies|ing)|attack(?:s|ed|ing)?|bodies|target(?:s|ed|ing)?|hit(?:s|ting)?|"
    r"pound(?:s|ed|ing)|bomb(?:s|ed|ing))$",
    re.IGNORECASE,
)
# Words that on their own, with no actor or other trigger, are too weak to make an event.
WEAK_TRIGGERS = re.compile(
    r"^(?:dead|died|deal|agreement|control (?:of|over)|mines?|rall(?:y|ies)|grad|jets?|engagements?|fights?|"
    r"combat|hostages?|detention|mob)$",
    re.IGNORECASE,
)
# Victims that make "killed"/"executed" violence against civilians.
_CIVILIANS = (r"civilians?|children|child|women|woman|citizens?|doctors?|nurses?|journalists?|activists?|"
              r"residents?|people|villagers?|family|families|farmers?|shepherds?|worker|workers|man|men|boy|girl|"
              r"teacher|displaced|refugees?|aid workers?")
CIVILIAN_WORDS = re.compile(r"\b(?:" + _CIVILIANS + r")\b", re.IGNORECASE)
# The same matches as an Alternation: the engine skips to the word starts one can begin at
# (a sentence searched in 5 us, not 15).
CIVILIAN_RE = Alternation([("civilian", _CIVILIANS)], re.IGNORECASE, prefix=r"\b", suffix=r"\b")


@dataclass(frozen=True, slots=True)
class ActorEntry:
    name: str  # canonical name shown to users and stored (geo.extract.actors)
    kind: str  # "state" | "non_state" | "civilians" | "external"
    pattern: str

    def __post_init__(self) -> None:
        # One canonical name per actor: the names written below are aliases of geo.extract.actors.
        object.__setattr__(self, "name", canonical_actor(self.name))


# States' forces named by what they fight with: "Russian and Syrian warplanes", "Turkish artillery".
_ARMS = (r"(?:(?:\s+(?:and|or)\s+(?:Syrian|Russian|Turkish|Iranian|Israeli|regime|government))?\s+"
         r"(?:war\s?planes|jets|fighter jets|aircraft|planes|helicopters|gunships|artillery|tanks|drones?|"
         r"air force|air ?strikes?|airstrikes?|air raids?|strikes?|troops|soldiers|forces|military|army|shelling|rockets|"
         r"missiles))")


ACTORS: tuple[ActorEntry, ...] = (
    ActorEntry("Islamic State (ISIL)", "non_state",
               r"Islamic State(?: of Iraq and (?:the Levant|al-Sham|ash-Sham|Syria))?|ISIL|ISIS|Daesh|Daish|"
               r"Da'esh|IS(?=\s+(?:fighters|militants|members|group|cells?|jihadists))|\bIS\b(?=[\s,.;)])"),
    ActorEntry("Hayat Tahrir al-Sham (HTS)", "non_state",
               r"Hay'?at Tahrir al-?Sham|Hayat Tahrir al-Sham|Tahrir al-Sham|HTS|HTS-led"),
    ActorEntry("Nusra Front", "non_state",
               r"(?:al-)?Nusra Front|Jabhat (?:al-)?Nusra|(?:al-)?Nusra|Jabhat Fateh al-Sham|Fateh al-Sham"),
    ActorEntry("Free Syrian Army", "non_state", r"Free Syrian Army|FSA"),
    ActorEntry("Syrian National Army", "non_state",
               r"Syrian National Army|SNA|Turkish-backed (?:factions|rebels|fighters|forces)|"
               r"Turkey-backed (?:factions|rebels|fighters|forces)|Olive Branch forces"),
    ActorEntry("Ahrar al-Sham", "non_state", r"Ahrar al-?Sham"),
    ActorEntry("Jaish al-Islam", "non_state", r"Jaish al-Islam|Army of Islam"),
    ActorEntry("Islamic Front", "non_state", r"Islamic Front"),
    ActorEntry("Syrian opposition", "non_state",
               r"(?:Syrian )?opposition(?: fighters| forces| militias?| factions| groups| rebels)?|rebels?|"
               r"rebel (?:fighters|groups|factions|forces)|insurgents?|armed factions|factions|"
               r"Mujahideen Army|Army of the Mujahedeen|National Liberation Front|NLF|Jaish al-Izza|Jaysh al-Izza|"
               r"Southern Front"),
    ActorEntry("Syrian Democratic Forces (SDF)", "non_state",
               r"Syrian Democratic Forces|SDF|QSD|Manbij Military Council"),
    ActorEntry("YPG", "non_state", r"YPG|YPJ|People'?s Protection Units|Kurdish (?:fighters|forces|militias?|units)"),
    ActorEntry("Syrian government forces", "state",
               r"Syrian(?=" + _ARMS + r")|(?:Syrian )?government(?=" + _ARMS + r")|(?:Syrian )?government forces|(?:Syrian )?regime(?: forces| troops| soldiers)?|(?:the )?Syrian (?:Arab )?army|"
               r"Syrian troops|Syrian soldiers|SAA|Assad(?:'s)? forces|loyalists?|pro-government (?:forces|militias?|gunmen)|"
               r"pro-regime (?:forces|militias?|gunmen)|National Defen[cs]e Forces|NDF|Tiger Forces|"
               r"Republican Guard|Fourth Division|4th Division|Syrian Air Force|regime helicopters|regime warplanes"),
    ActorEntry("Hezbollah", "non_state", r"Hezbollah|Hizbollah|Hizballah"),
    ActorEntry("Iranian forces", "external", r"Iranian (?:forces|militias|troops|backed militias)|Iran-backed (?:militias|forces)|IRGC"),
    ActorEntry("Russian forces", "external",
               r"Russian(?=" + _ARMS + r")|Russian (?:forces|troops|aircraft|warplanes|jets|air force|planes|military|helicopters|military police)|Russia"),
    ActorEntry("International coalition", "external",
               r"(?:US-led |international |U\.S\.-led )?coalition(?: aircraft| warplanes| forces| jets| planes| strikes)?|"
               r"American (?:forces|troops|aircraft)|US (?:forces|troops|aircraft)|U\.S\. (?:forces|troops)"),
    ActorEntry("Turkish forces", "external",
               r"Turkish(?=" + _ARMS + r")|Turkish (?:forces|army|troops|military|warplanes|jets|artillery|drones?|soldiers)|Turkey"),
    ActorEntry("Israeli forces", "external", r"Israeli(?=" + _ARMS + r")|Israeli (?:forces|warplanes|jets|missiles|army|military|aircraft)|Israel"),
    ActorEntry("Unidentified armed group", "non_state",
               r"unidentified (?:gunmen|assailants|attackers|armed men|persons)|unknown (?:gunmen|assailants|attackers|persons)|gunmen|masked men"),
    ActorEntry("Civilians", "civilians",
               r"civilians?|children|women|citizens|residents|villagers|a doctor|doctors|journalists?|activists|"
               r"displaced people|people"),
)

# Armed groups and units by their Arabic names, most of which contain a place: "Liwa al-Quds",
# "Aknaf Bayt al-Maqdis", "Shuhada al-Yarmouk", "Jaysh al-Sunna". Such a span is an actor (the
# matched name) and masks the toponym inside it.
GROUP_NAME = (
    r"\b(?:Liwa'?a?|Liwaa|Jaysh|Jaish|Jabhat|Harakat|Kataib|Kata'ib|Katibat|Saraya|Suqour|Suqur|Ahrar|"
    r"Shuhada'?a?|Fursan|Ansar|Aknaf|Alwiya'?t?|Thuwar|Usud|Tajammu'?|Faylaq|Firqat|Fawj|Ajnad|Jund|Quwat)"
    r"(?:[\s-]+(?:(?:al|el|ash|as|ad|ar|at|an|az|bayt|beit|bait|ibn|bin|wal)[-\s]+)?[A-Z][\w'’]*){1,3}"
)
GROUP_NAME_RE = re.compile(GROUP_NAME)
# Every GROUP_NAME match starts with one of these (case-sensitive, as the pattern): a text
# without any of them names no such group.
GROUP_NAME_WORDS = ("Liwa", "Jays", "Jais", "Jabhat", "Harakat", "Kat", "Saraya", "Suq", "Ahrar", "Shuhada",
                    "Fursan", "Ansar", "Aknaf", "Alwiya", "Thuwar", "Usud", "Tajammu", "Faylaq", "Firqat",
                    "Fawj", "Ajnad", "Jund", "Quwat")
# The words as one search (a trie: the engine skips in C to their capitals; most texts hold none).
GROUP_NAME_HINT = re.compile(trie(GROUP_NAME_WORDS))

# Words that a headline capitalises before "town", "village" or "neighbourhood" but that name no
# place: peoples, faiths and nations ("Kurdish neighbourhood shelled", "Scores die in Syrian town"),
# and the adjectives of headlines ("Rebels seize Key Town").
NOT_PLACE_ADJECTIVES = frozenset("""
    syrian kurdish kurd kurds turkish turkmen arab arabic druze alawite alawi sunni shia shiite christian
    armenian assyrian yazidi circassian bedouin iraqi lebanese jordanian israeli palestinian iranian russian
    american british french european western islamic muslim jewish
    key strategic besieged embattled rebel frontline nearby another same small major main northern southern
    eastern western central coastal border remote desert ancient historic old new
""".split())


# A compass direction as written ("north-east"), and with its adjective ending ("northern").
DIRECTION_WORD = r"(?P<dir>north|south|east|west|north-?east|north-?west|south-?east|south-?west)"
DIRECTION = DIRECTION_WORD + r"(?:ern)?"
DIRECTION_WORDS = ("north", "south", "east", "west")  # one is in every DIRECTION_WORD match
# The Arabic article written before a name's word, in the forms English news text uses ("al-", "ash-").
ARABIC_ARTICLE_WORD = r"(?:al|el|ad|ar|as|ash|at|az|an)"
ARABIC_ARTICLE = ARABIC_ARTICLE_WORD + "-"
# A landmark named after a place: "Tal al-Hammamiyat" (the hill of Hammamiyat), "Khirbet X", "Wadi X". The
# landmark lies by the place (precision 2); where the gazetteer lacks it, the place it is named after is
# not one word of some other proper name.
LANDMARK_HEADS = ("tal", "tel", "tall", "tell", "jabal", "jebel", "khirbet", "khirbat", "mazraat", "wadi")
LANDMARK_HEAD_BEFORE = re.compile(r"\b(?:" + "|".join(w.capitalize() for w in LANDMARK_HEADS) + r")[ -]"
                                  r"(?:" + ARABIC_ARTICLE + r")?$")


# People: "Omar Abdel Rahman", "Sheikh Nasser al-Khatib", "President Bashar al-Assad"; a
# person's name is never where the event happened, whatever village shares it.
PERSON_NAMES = (
    r"(?:[A-Z][\w'’-]+\s+)?\b(?:Abdel|Abdul|Abd[- ]?al|Abdal)[-\s]?[A-Z][\w'’-]*|"
    r"\b(?:Sheikh|Shaykh|President|Mr|Mrs|Ms|Dr|General|Gen\.|Colonel|Col\.|Brigadier|Major|Captain|Lieutenant|"
    r"Imam|Mufti|Emir|Prince|King|Minister|Observatory director|Observatory head)\.?\s+"
    r"(?:(?:al|el|ash|as|ad|ar|at|an|az|bin|ibn)[-\s])?[A-Z][\w'’-]*"
    r"(?:\s+(?:(?:al|el|ash|as|ad|ar|at|an|az|bin|ibn)[-\s])?[A-Z][\w'’-]*){0,3}"
)
PERSON_NAME = re.compile(PERSON_NAMES)
# A person's family name, the last word of the name ("al-Khatib": "Khatib"), which later
# sentences use alone ("Khatib was killed"): still the person, not a village of that name.
FAMILY_NAME = re.compile(r"(?:(?:al|el|ash|as|ad|ar|at|an|az|bin|ibn)[-\s])?([A-Z][\w'’-]{3,})$")


# Spans that name an organisation, a newspaper or a descriptor, inside which no place is an
# event location: "Islamic State of Iraq and the Levant", "Syrian al-Watan newspaper",
# "Damascus-based", "Britain-based", "Syrian Observatory for Human Rights".
_NON_LOCATION_CONTEXTS = (
    r"Islamic State of Iraq and (?:the Levant|al-Sham|ash-Sham|Syria)|Islamic State in Iraq and (?:the Levant|Syria)|"
    r"Syrian Observatory(?: for Human Rights)?|Observatory for Human Rights|"
    r"[A-Z][\w'’]*(?:[\s-][A-Z][\w'’]*)?-(?:based|backed|led|born|funded|supported|affiliated|linked|allied|aligned|held|controlled)\b|"
    r"(?:Syrian |the )?(?:al-)?Watan(?: newspaper| daily)?|(?:al-)?Akhbar|Al Jazeera|Al Arabiya|Anadolu|"
    r"(?:[A-Z][\w-]+\s){0,3}(?:newspaper|news agency|TV|television|Radio|Brigades?|Battalions?|Division|Army of [A-Z]\w+)|"
    r"(?:Aleppo|Idlib|Hama|Homs|Damascus|Raqqa|Daraa) (?:Media Center|Media Centre|Military Council|Operations Room|Revolutionary Council)|"
    + PERSON_NAMES + "|"
    # Named operations and battles: "the al-Yarmouk Battle", "Operation Dawn of Idlib".
    r"(?:(?:al|el)-)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2}\s+(?:Battle|Offensive|Operation)\b|"
    r"\bOperation\s+[A-Z][\w'’-]*(?:\s+(?:of\s+)?[A-Z][\w'’-]*){0,3}|"
    # A body named for its place: "the Revolutionary Council of Homs", "Local Coordination
    # Committees of Idlib", "Martyrs of Idlib Brigade". Its place is in its name, not an event.
    r"(?:[A-Z][\w'’-]*\s+){1,4}(?:Councils?|Committees?|Command|Commission|Union|Network|Assembly|Coalition|"
    r"Front|Brigades?|Battalions?|Division|Regiment|Operations Room|Media Office|Media Cent(?:er|re)|Martyrs)"
    r"\s+of\s+(?:the\s+)?(?:(?:al|el|ash|as|ad|ar|at)[-\s])?[A-Z][\w'’-]*|"
    r"Jaish al-[A-Z]\w+|Liwa al-[A-Z]\w+|Ahrar al-Sham|Fateh al-Sham|Tahrir al-Sham|Jabhat [A-Z][\w-]+|"
    r"Syria(?:n)? Civil Defen[cs]e|White Helmets|Doctors Without Borders|"
    # News agencies, monitors and outlets: "SANA reported" is not the village of Sana.
    r"\b(?:SANA|AFP|AP|Reuters|SOHR|ANHA|ANF|Qasioun|Enab Baladi|Syria Direct|Hawar|Step News|Smart News|"
    r"Orient News|Al-?Masdar(?: News)?|TASS|Sputnik|RIA Novosti|Xinhua|DPA|dpa|IRNA|Tasnim|Fars News|"
    r"Al[- ]Mayadeen|Rudaw|Kurdistan ?24|North Press|Deir ?ez-?Zor ?24|Nors?h? Press|Baladi News|Zaman al-Wasl|"
    r"Al-Dorar|Sham News|Halab Today|Shaam Network)\b|"
    # Armed groups and units whose names contain a place: "Liwa al-Quds", "Aknaf Bayt al-Maqdis",
    # "Shuhada al-Yarmouk", "Suqour al-Sham". The group span masks the toponym inside it.
    + GROUP_NAME
)
# Every match of _NON_LOCATION_CONTEXTS holds one of these (case-sensitive, as the pattern): most
# texts hold none, and are not searched (tests/test_extract_prefilters.py draws matches of each
# alternative and checks that they hold one).
NON_LOCATION_WORDS = (
    "Islamic State", "Observatory", "-based", "-backed", "-led", "-born", "-funded", "-supported", "-affiliated",
    "-linked", "-allied", "-aligned", "-held", "-controlled", "Watan", "Akhbar", "Al Jazeera", "Al Arabiya",
    "Anadolu", "newspaper", "news agency", "TV", "television", "Radio", "Brigade", "Battalion", "Division",
    "Army of ", "Media Cent", "Military Council", "Operations Room", "Revolutionary Council", "Abd", "Sheikh",
    "Shaykh", "President", "Mr", "Ms", "Dr", "General", "Gen", "Col", "Brigadier", "Major", "Captain",
    "Lieutenant", "Imam", "Mufti", "Emir", "Prince", "King", "Minister", "Battle", "Offensive", "Operation",
    "Jaish al-", "Liwa al-", "Fateh al-Sham", "Tahrir al-Sham", "Jabhat ", "Civil Defen", "White Helmets",
    "Doctors Without Borders", "SANA", "AFP", "AP", "Reuters", "SOHR", "ANHA", "ANF", "Qasioun", "Enab Baladi",
    "Syria Direct", "Hawar", "News", "Masdar", "TASS", "Sputnik", "RIA Novosti", "Xinhua", "DPA", "dpa", "IRNA",
    "Tasnim", "Mayadeen", "Rudaw", "Kurdistan", "Press", "Zor24", "Zor 24", "Zaman al-Wasl", "Dorar",
    "Halab Today", "Shaam Network",
    *GROUP_NAME_WORDS,
)
# Bodies named for their place are written "<Body> of <place>": the word alone ("the coalition")
# is not enough.
_BODIES = ("Council", "Committee", "Command", "Commission", "Union", "Network", "Assembly", "Coalition", "Front",
           "Regiment", "Media Office", "Martyrs")
_OF = r"s?\s+of\s"
# The words, and the bodies followed by "of", as one trie-shaped pattern (one pass in the engine).
NON_LOCATION_HINT = re.compile(trie((*_BODIES, *NON_LOCATION_WORDS), tails=dict.fromkeys(_BODIES, _OF)))
# Searched once per text; as an Alternation (same matches as the plain pattern) the engine
# tries only the alternatives that can start at each capital letter or literal prefix.
NON_LOCATION_CONTEXTS = Alternation([("context", _NON_LOCATION_CONTEXTS)])
# Where something was said, negotiated or arrived: not where the event happened ("Ankara said",
# "talks in Geneva", "an official in Erbil", "refugees arriving in Jordan").
SPOKEN_AFTER = re.compile(
    r"(?:'s|’s)?\s+(?:has\s+|have\s+|had\s+|also\s+)?(?:said|says|say|announced|told|stated|claimed|denied|"
    r"warned|urged|accused|condemned|called for|insisted|confirmed|reported|responded|demanded|"
    r"sent|hosted|agreed|vowed|threatened)\b",
    re.IGNORECASE,
)
SPOKEN_BEFORE = re.compile(
    r"\b(?:talks|negotiations|meetings?|summit|conference|consultations|officials?|spokes(?:man|woman|person)|"
    r"ministry|minister|embassy|envoy|diplomats?|sources?|correspondents?|reporters?|journalists?|"
    r"based|headquartered|refugees?|fled|fleeing|arriv(?:ed|ing)|crossed into|exiled|"
    r"government(?!\s+(?:forces|troops|soldiers|positions|militias?|fighters|artillery|warplanes|aircraft|"
    r"helicopters|tanks|jets|drones)\b)|authorities|parliament|court|press conference|news conference|statement)"
    r"\s+(?:\w+\s+)?(?:in|to|at|from|into)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# Every SPOKEN_BEFORE match holds one of these (in any case): a window with none is not searched.
SPOKEN_WORDS = ("talks", "negotiations", "meeting", "summit", "conference", "consultations", "official", "spokes",
                "minist", "embassy", "envoy", "diplomat", "source", "correspondent", "reporter", "journalist", "based",
                "headquartered", "refugee", "fled", "fleeing", "arriv", "crossed into", "exiled", "government",
                "authorities", "parliament", "court", "statement")
# Where the attackers were or fired from, and places named for comparison: not where the event
# happened ("gunmen located in X fired on Y", "fired shells from positions in X", "worse than in X",
# "as they did in X", "like in X"). The event lies at the target or in the main clause.
_NOT_EVENT_BEFORE = re.compile(
    r"(?:\b(?:located|stationed|positioned|entrenched|holed up)\s+(?:in|at|inside)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?"
    r"(?:(?:in|of)\s+)?"
    r"|\b(?:fired|launched|shot|came|arose|originated|coming|originating|shelled|shelling|targeted|targeting|"
    r"bombarded|bombarding)\s+(?:[\w-]+\s+){0,4}?from\s+(?:their\s+|its\s+)?"
    r"(?:the\s+)?(?:(?:positions?|bases?|areas?|territory|territories|outskirts)\s+(?:in|of|near)\s+(?:the\s+)?)?"
    r"(?:(?:northern|southern|eastern|western|central)\s+)?"
    r"|\b(?:factions?|fighters|militants|members|gunmen|militiamen|displaced|families|residents|refugees|"
    r"reinforcements|convoys?|delegations?)\s+(?:\w+\s+)?from\s+(?:the\s+)?(?:(?:city|town|village)\s+of\s+)?"
    r"|\b(?:than|like|as)\s+(?:(?:it|they|he|she|we|you)\s+(?:was|were|did|had|have|has)\s+(?:\w+\s+)?)?"
    r"(?:in|at)\s+(?:the\s+)?(?:(?:old|eastern|western|northern|southern|central)\s+)?(?:city\s+of\s+)?)$",
    re.IGNORECASE,
)
_NEVER_BEFORE_THAN = ("than", "like", "as")
_TAIL_ADJECTIVES = frozenset(("old", "eastern", "western", "northern", "southern", "central"))


class _EndCue:
    """``NOT_EVENT_BEFORE.search(text, pos, endpos)``: the pattern's own answer, asked only when a
    cheap check on the window's words says it can match (its alternatives need "located"...,
    "from", or a tail "than/like/as ... in/at [the] [old] [city of]"). Names are checked
    one by one against this 80-character window, so the check saves a full search for most."""

    def __init__(self, pattern: re.Pattern) -> None:
        self.pattern = pattern

    def __getattr__(self, name: str):
        """Other ``re.Pattern`` methods run the pattern itself."""
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.pattern, name)

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match | None:
        endpos = len(text) if endpos is None else endpos
        window = text[pos:endpos]
        if (window.isascii() or not any(map(window.__contains__, CASE_ODD))) and not self._possible(window):
            return None
        return self.pattern.search(text, pos, endpos)

    @staticmethod
    def _possible(window: str) -> bool:
        """False only when no alternative can match the window, for a window without CASE_ODD
        letters: there str.lower finds the pattern's ASCII words as IGNORECASE does (no other
        non-ASCII letter matches an ASCII one), and str.split splits where \\s matches (both
        ask str.isspace), so the checks below see the words the pattern needs."""
        if not window[-1:].isspace():
            return False  # every alternative ends with whitespace at the end of the window
        low = window.lower()
        if any(map(low.__contains__, ("located", "stationed", "positioned", "entrenched", "holed up"))):
            return True
        if "from" in low:  # "fired ... from", "factions from": the pattern decides
            return True
        words = low.split()
        if words[-2:] == ["city", "of"]:
            words = words[:-2]
        if words and words[-1] in _TAIL_ADJECTIVES:
            words = words[:-1]
        if words and words[-1] == "the":
            words = words[:-1]
        if not words or words[-1] not in ("in", "at"):
            return False
        return any(w.endswith(_NEVER_BEFORE_THAN) for w in words[-5:-1])


NOT_EVENT_BEFORE = _EndCue(_NOT_EVENT_BEFORE)
ACTOR_KIND = {a.name: a.kind for a in ACTORS}
GOVERNMENT = SYRIA_STATE

# Compiled once, as one alternation each (geo.alternation): a match's ``lastgroup`` names
# the entry ("t3", "a12"). Same matches as `_W(?:(?P<t0>...)|(?P<t1>...)|...)_E`, re.IGNORECASE.
TRIGGER_RE = Alternation([(f"t{i}", t.pattern) for i, t in enumerate(TRIGGERS)], re.IGNORECASE,
                         prefix=_W, suffix=_E)
# Case-insensitive; acronyms (IS, SDF, FSA...) must still be written in capitals, which
# :func:`is_actor_match` checks, so that "is" and "sna" in running text are not actors.
ACTOR_RE = Alternation([(f"a{i}", a.pattern) for i, a in enumerate(ACTORS)], re.IGNORECASE,
                       prefix=_W, suffix=_E)


def is_actor_match(text: str) -> bool:
    """Short aliases are acronyms: accept them only in capitals."""
    letters = text.replace(".", "")
    return len(letters) > 4 or letters.isupper() or not letters.isalpha() or letters.lower() in _SHORT_WORDS


_SHORT_WORDS = frozenset({"rebel", "regime"})


_TRIGGER_OF = {f"t{i}": t for i, t in enumerate(TRIGGERS)}
_ACTOR_OF = {f"a{i}": a for i, a in enumerate(ACTORS)}


def trigger_of(group_name: str) -> Trigger:
    return _TRIGGER_OF[group_name]


def actor_of(group_name: str) -> ActorEntry:
    return _ACTOR_OF[group_name]
