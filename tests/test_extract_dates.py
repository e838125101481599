"""Relative dates at the ends of the calendar never overflow (issue 12)."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.dates import MAX_DATE, MIN_DATE, find_dates

EXPRESSIONS = ["yesterday", "next week", "last week", "on Friday", "last month", "3 January", "this month",
               "two weeks ago", "tonight", "overnight", "in March", "2101-01-01", "0001-01-02", "a day earlier",
               "two days later", "the following day"]


@pytest.mark.parametrize("published", [MAX_DATE, MIN_DATE, dt.date(9999, 12, 31), dt.date(1, 1, 1)],
                         ids=str)
@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_relative_dates_at_the_ends_of_the_calendar(published, expr):
    mentions = find_dates(f"Clashes erupted {expr} in the town.", published)
    for m in mentions:
        assert MIN_DATE <= m.date <= MAX_DATE
        assert (m.date - published).days <= 1


def test_yesterday_is_the_day_before_publication():
    (mention,) = find_dates("Shelling killed four yesterday.", dt.date(2014, 1, 5))
    assert mention.date == dt.date(2014, 1, 4)


PUBLISHED = dt.date(2014, 1, 8)  # a Wednesday


@pytest.mark.parametrize("text, day", [
    ("Clashes broke out on Monday. A day earlier, shelling hit the town.", dt.date(2014, 1, 5)),
    ("Clashes broke out on Monday. Two days later, shelling hit the town.", dt.date(2014, 1, 8)),
    ("Clashes broke out on Monday. The following day, shelling hit the town.", dt.date(2014, 1, 7)),
    ("Clashes broke out on Monday. The day before, shelling hit the town.", dt.date(2014, 1, 5)),
    ("The bombing came a day after shelling hit the town.", dt.date(2014, 1, 7)),
])
def test_a_count_of_days_counts_from_the_last_day_the_text_gave(text, day):
    assert find_dates(text, PUBLISHED)[-1].date == day


def test_a_count_of_days_counts_from_an_earlier_sentences_day():
    (mention,) = find_dates("A day earlier, shelling hit the town.", PUBLISHED, reference=dt.date(2014, 1, 3))
    assert mention.date == dt.date(2014, 1, 2)


@pytest.mark.parametrize("text", ["A day after the defection, rebels stormed the town.",
                                  "On Monday a general defected. A day after the defection, rebels stormed the town."])
def test_a_day_after_an_event_the_text_does_not_date_is_unknown(text):
    """"A day after the defection": the defection's day is not given (not the publication date,
    not the last day the text named)."""
    assert [m.text for m in find_dates(text, PUBLISHED)] in ([], ["On Monday"])


def test_a_sentence_without_a_date_inherits_its_paragraphs_last_one():
    from geo.dates import sentence_date

    monday, tuesday = find_dates("Clashes on Monday and shelling on Tuesday.", PUBLISHED)
    assert sentence_date([monday, tuesday], None) == (monday, False, tuesday)
    assert sentence_date([], tuesday) == (tuesday, True, tuesday)
    assert sentence_date([], None) == (None, False, None)
