from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from portal.models import PublicHoliday
from portal.workdays import add_working_days, is_working_day

pytestmark = pytest.mark.django_db
BKK = ZoneInfo("Asia/Bangkok")


def test_three_working_days_cross_a_weekend():
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=BKK)
    assert add_working_days(friday, 3) == datetime(2026, 11, 25, 15, 0, tzinfo=BKK)


def test_an_edited_holiday_counts():
    PublicHoliday.objects.create(date=date(2026, 11, 23), name="วันหยุดพิเศษ")
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=BKK)
    assert add_working_days(friday, 3) == datetime(2026, 11, 26, 15, 0, tzinfo=BKK)
    assert not is_working_day(date(2026, 11, 23))
    assert is_working_day(date(2026, 11, 24))
