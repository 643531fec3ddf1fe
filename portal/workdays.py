"""Working-day arithmetic for SLAs: weekends and the PublicHoliday table are not working days."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from portal.models import PublicHoliday


def _holidays_between(start: date, end: date) -> set[date]:
    return set(
        PublicHoliday.objects.filter(date__range=(start, end)).values_list("date", flat=True)
    )


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment ``days`` full working days after ``start`` (same clock time, Bangkok)."""
    local = start.astimezone(ZoneInfo(settings.TIME_ZONE))
    holidays = _holidays_between(local.date(), local.date() + timedelta(days=days * 3 + 30))
    current = local.date()
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in holidays:
            remaining -= 1
    return datetime.combine(current, time(local.hour, local.minute, local.second), local.tzinfo)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not PublicHoliday.objects.filter(date=day).exists()
