from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from portal.models import PublicHoliday
from portal.workdays import add_working_days, working_day_spans

pytestmark = pytest.mark.django_db
BKK = ZoneInfo("Asia/Bangkok")


def test_three_working_days_cross_a_weekend():
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=BKK)
    assert add_working_days(friday, 3) == datetime(2026, 11, 25, 15, 0, tzinfo=BKK)


def test_an_edited_holiday_counts():
    PublicHoliday.objects.create(date=date(2026, 11, 23), name="วันหยุดพิเศษ")
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=BKK)
    assert add_working_days(friday, 3) == datetime(2026, 11, 26, 15, 0, tzinfo=BKK)


def test_spans_count_calendar_days_to_the_third_working_day():
    # Friday 20 to Monday 23 November 2026: Wednesday 25, Wednesday 25, Wednesday 25, Thursday 26.
    assert working_day_spans(date(2026, 11, 20), date(2026, 11, 23), 3) == [5, 4, 3, 3]
    PublicHoliday.objects.create(date=date(2026, 11, 24), name="วันหยุดพิเศษ")
    assert working_day_spans(date(2026, 11, 20), date(2026, 11, 23), 3) == [6, 5, 4, 4]
