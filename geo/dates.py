"""Dates: THE parser of date values (:func:`parse_date`) and date expressions in news text.

:func:`parse_date` is the one place where a value from outside (CLI argument, front matter,
manifest, CSV cell, URL parameter, store row, pandas value) becomes a ``datetime.date``. It checks
the range once, at the edge (:data:`MIN_DATE`..:data:`MAX_DATE`), and refuses relative words
("yesterday"): a publication date must be a date, not a time relative to the wall clock.

Date expressions in news text:

Weekdays ("on Friday"), relative words ("yesterday", "last week", "this month") and explicit
dates ("3 January", "Jan. 3, 2014") are found with one regular expression and resolved with
dateparser, relative to the publication date. An article with no publication date gives no
dates at all (undated events), never the date of ingestion.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from geo.alternation import Alternation
from geo.errors import ValidationError
from geo.words import lacks_words

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_WEEKDAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_COUNT = r"(?:a|one|two|three|four|five|six|seven|[1-7])"
# "(the attack) came a day after (X)": X is the earlier event.
_CAME_AFTER = re.compile(r"\b(?:came|comes|come|happened|occurred|took\s+place|followed|following)\s+(?:just\s+|only\s+)?$",
                         re.IGNORECASE)
# The matches (``lastgroup`` the kind) of ``\b(?:(?P<explicit>...)|(?P<weekday>...)|...)\b``: an
# Alternation tries at each word start only the kinds that can start with its character.
DATE_RE = Alternation([
    ("explicit", rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}(?:,?\s+\d{{4}})?|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{4}}-\d{{2}}-\d{{2}}"),
    ("weekday", rf"(?:last\s+|this\s+|on\s+|late\s+|early\s+)?{_WEEKDAYS}(?:\s+(?:night|morning|evening|afternoon))?"),
    ("day", r"yesterday|today|tonight|this\s+morning|this\s+evening|last\s+night|overnight|(?:two|three|2|3)\s+days\s+ago"),
    ("week", r"last\s+week|this\s+week|past\s+week|earlier\s+this\s+week|(?:two|2)\s+weeks\s+ago"),
    ("month", rf"this\s+month|last\s+month|earlier\s+this\s+month|past\s+month|(?:in|during|since)\s+{_MONTHS}(?!\s+\d)"),
    # Counted from the date the text last gave (see find_dates): "a day earlier", "two days later",
    # "the day before", "the following day", "(the attack came) a day after (X)".
    ("offset", rf"{_COUNT}\s+(?:days?|weeks?)\s+(?:earlier|before|later|after)|the\s+(?:day|night)\s+before|"
               r"the\s+previous\s+(?:day|night)|the\s+(?:next|following)\s+day"),
], re.IGNORECASE, prefix=r"\b", suffix=r"\b")
_WEEKDAY_INDEX = {d: i for i, d in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}


@dataclass(frozen=True, slots=True)
class DateMention:
    date: dt.date
    precision: int  # ACLED time_precision: 1 day, 2 week, 3 month
    start: int
    end: int
    text: str


def _dateparser():
    """dateparser, imported on first use: it costs a tenth of a second, and pages that only show
    stored (ISO) dates never call it."""
    import dateparser

    return dateparser


def _weekday_date(expr: str, published: dt.date) -> dt.date:
    """The most recent such weekday on or before publication ("Sunday" in a Sunday paper is that day)."""
    low = expr.lower()
    name = next(d for d in _WEEKDAY_INDEX if d in low)
    delta = (published.weekday() - _WEEKDAY_INDEX[name]) % 7
    if low.startswith("last") and delta == 0:
        delta = 7
    return published - dt.timedelta(days=delta)


@lru_cache(maxsize=4096)
def _parse(expr: str, published: dt.date, kind: str) -> tuple[dt.date, int] | None:
    base = dt.datetime.combine(published, dt.time(12))
    low = re.sub(r"\s+", " ", expr.lower()).strip()
    if kind == "weekday":
        return _weekday_date(low, published), 1
    if kind == "day":
        if low in {"overnight", "last night"}:
            return published - dt.timedelta(days=1), 1
        if low in {"tonight", "this morning", "this evening"}:
            return published, 1
    if kind == "week":
        low = low.replace("earlier this week", "this week").replace("past week", "last week")
        if low == "this week":
            return published, 2
        if low == "last week":
            return published - dt.timedelta(days=7), 2
    if kind == "month":
        low = re.sub(r"^(?:earlier |past )", "", low)
        if low == "this month" or low == "month":
            return published, 3
        if low == "last month":
            first = published.replace(day=1) - dt.timedelta(days=1)
            return first.replace(day=15), 3
        low = re.sub(r"^(?:in|during|since) ", "", low)
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first",
                "REQUIRE_PARTS": ["month"] if kind in {"explicit", "month"} else []}
    parsed = _dateparser().parse(low, languages=["en"], settings=settings)
    if parsed is None:
        return None
    date = parsed.date()
    if kind == "explicit" and not re.search(r"\d{4}", low) and date > published:
        date = date.replace(year=date.year - 1)  # "3 January" in a February paper is last January
    return date, (3 if kind == "month" else 1 if kind != "week" else 2)


def _offset_date(expr: str, last: dt.date, came_after: bool) -> tuple[dt.date, int] | None:
    """The day ``expr`` counts from ``last`` ("a day earlier": the day before it; "two days
    later": two days after it; "(the attack) came a day after" X: X the day before it). "A day
    after X" counts from X, whose day the text does not give: None."""
    low = re.sub(r"\s+", " ", expr.lower())
    if low.endswith("after") and not came_after:
        return None
    if low.startswith("the "):
        days = 1
    else:
        count, unit = low.split(" ")[:2]
        days = (_COUNTS.get(count) or int(count)) * (7 if unit.startswith("week") else 1)
    later = low.endswith(("later", "next day", "following day"))
    return last + dt.timedelta(days=days if later else -days), 1 if days < 7 else 2


# Every DATE_RE match holds one of these words (weekdays, "yesterday" and "today" end in "day";
# "tonight", "last night" and "overnight" hold "night"; months are written at least with their
# first three letters) or an ISO date's digit-dash-digit; a sentence with none has no date.
_DATE_WORDS = ("day", "night", "this", "week", "month", "jan", "feb", "mar", "apr", "may", "jun", "jul",
               "aug", "sep", "oct", "nov", "dec")
_ISO_HINT = re.compile(r"\d-\d")


def _no_date(text: str) -> bool:
    """True only when DATE_RE cannot match ``text`` (a cheap check; most sentences name no date)."""
    return lacks_words(text, _DATE_WORDS) and ("-" not in text or _ISO_HINT.search(text) is None)


def find_dates(text: str, published: dt.date | None, *, offset: int = 0,
               reference: dt.date | None = None) -> list[DateMention]:
    """Date expressions in ``text`` (spans shifted by ``offset``), resolved against ``published``;
    "a day earlier", "two days later" against the last day ``text`` gives before them, else
    ``reference`` (the last day the text before it gave), else ``published``."""
    if published is None or _no_date(text):
        return []
    out: list[DateMention] = []
    for match in DATE_RE.finditer(text):
        kind = match.lastgroup or ""
        try:
            if kind == "offset":
                # from the last date the text gave (a day's), else the publication date; but a
                # day after a day the text never gave ("A day after the defection, ...") is unknown
                given = next((m.date for m in reversed(out) if m.precision == 1), reference)
                resolved = _offset_date(match.group(), given or published,
                                        _CAME_AFTER.search(text, 0, match.start()) is not None)
                if given is None and resolved is not None and resolved[0] > published:
                    resolved = None
            else:
                resolved = _parse(match.group(), published, kind)
        except (OverflowError, ValueError):
            # "yesterday" in a paper dated 0001-01-01, "last month" at the start of the calendar:
            # arithmetic past the ends of datetime's range. No date rather than a crash.
            resolved = None
        if resolved is None:
            continue
        date, precision = resolved
        # A date after the next day is a plan or a typo, not when the event happened; a date
        # outside the accepted span would be refused everywhere downstream.
        if (date - published).days > 1 or not (MIN_DATE <= date <= MAX_DATE):
            continue
        out.append(DateMention(date, precision, match.start() + offset, match.end() + offset, match.group()))
    return out


def sentence_date(found: list[DateMention], paragraph_date: DateMention | None
                  ) -> tuple[DateMention | None, bool, DateMention | None]:
    """(a sentence's date, whether inherited, the paragraph's date after it): its first date
    mention, else the last one its paragraph gave before it (inherited)."""
    if found:
        return found[0], False, found[-1]
    return paragraph_date, paragraph_date is not None, paragraph_date


# The span of dates the tool accepts: news and conflict data of the 20th and 21st centuries. A date
# outside it is a typo or a placeholder (0001-01-01, 9999-12-31), and it would break charts and
# JavaScript date widgets downstream, so it is refused at the edge with a clear message.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)

_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_DATE_FORMATS = ("%d %B %Y", "%d-%B-%Y", "%d %b %Y", "%d-%b-%Y", "%B %d, %Y", "%b %d, %Y", "%Y/%m/%d",
                 "%d/%m/%Y", "%d.%m.%Y")
_RELATIVE = re.compile(r"\b(?:yesterday|today|tomorrow|tonight|now|ago|last|next|this|week|month|year)\b", re.I)


def _checked(value: dt.date, what: str, bounded: bool = True) -> dt.date:
    if bounded and not (MIN_DATE <= value <= MAX_DATE):
        raise ValidationError(f"{what} {value.isoformat()} is outside {MIN_DATE.isoformat()}..{MAX_DATE.isoformat()}")
    return value


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN
        return True
    if isinstance(value, str) and not value.strip():
        return True
    # pandas' NA / NaT without importing pandas here.
    return type(value).__name__ in {"NAType", "NaTType"}


def parse_date(value: object, *, what: str = "date", bounded: bool = True) -> dt.date | None:
    """A ``datetime.date`` from any outside value, or None when the value is missing.

    Accepts dates, datetimes (and pandas Timestamps), ISO strings (``2014-01-05``, also with a
    time), ACLED's ``05 January 2014`` and other written full dates ("Sunday, 5 January 2014").
    Raises :class:`~geo.errors.ValidationError` (a ``ValueError``) for a value that is not a full
    calendar date, for relative words ("yesterday") and for a date outside MIN_DATE..MAX_DATE;
    ``what`` names the value in the message ("publication date"). ``bounded=False`` is for
    reading back what a store already holds (a store written before the range check may hold
    0214-01-05): the value is kept as written, and whoever shows it clamps its widgets.
    """
    if _is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return _checked(value.date(), what, bounded)
    if isinstance(value, dt.date):
        return _checked(value, what, bounded)
    text = str(value).strip()
    match = _ISO_DATE.match(text)
    if match:
        try:
            return _checked(dt.date(int(match[1]), int(match[2]), int(match[3])), what, bounded)
        except ValueError as exc:
            if isinstance(exc, ValidationError):
                raise
            raise ValidationError(f"{what} {text[:40]!r} is not a calendar date") from None
    for fmt in _DATE_FORMATS:
        try:
            return _checked(dt.datetime.strptime(text, fmt).date(), what, bounded)
        except ValueError as exc:
            if isinstance(exc, ValidationError):
                raise
            continue
    if _RELATIVE.search(text):
        raise ValidationError(f"{what} {text[:40]!r} is relative; give the calendar date")
    parsed = _free_form(text)
    if parsed is None:
        raise ValidationError(f"{what} {text[:40]!r} is not a full date (day, month and year)")
    return _checked(parsed, what, bounded)


@lru_cache(maxsize=4096)
def _free_form(text: str) -> dt.date | None:
    try:
        parsed = _dateparser().parse(
            text, settings={"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DAY_OF_MONTH": "first"})
    except (OverflowError, ValueError):
        return None
    return parsed.date() if parsed is not None else None


def parse_published(value: object) -> dt.date | None:
    """A publication date (see :func:`parse_date`)."""
    return parse_date(value, what="publication date")
