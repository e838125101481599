"""Relative dates at the ends of the calendar never overflow (issue 12)."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.dates import MAX_DATE, MIN_DATE, find_dates

EXPRESSIONS = ["yesterday", "next week", "last week", "on Friday", "last month", "3 January", "this month",
               "two weeks ago", "tonight", "overnight", "in March", "2101-01-01", "0001-01-02"]


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
