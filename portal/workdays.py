"""Working-day arithmetic for SLAs: weekends and the PublicHoliday table are not working days."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from portal.models import PublicHoliday


def working_day_spans(first: date, last: date, days: int) -> list[int]:
    """For each day from ``first`` to ``last``: how many calendar days until its ``days``-th working
    day. One query for the holidays, then a loop over calendar days (never over cases: the
    dashboard looks each case's forwarding day up in this list)."""
    horizon = last + timedelta(days=days * 3 + 30)
    holidays = set(
        PublicHoliday.objects.filter(date__range=(first, horizon)).values_list("date", flat=True)
    )
    spans = []
    for offset in range((last - first).days + 1):
        start = current = first + timedelta(days=offset)
        remaining = days
        while remaining:
            current += timedelta(days=1)
            if current.weekday() < 5 and current not in holidays:
                remaining -= 1
        spans.append((current - start).days)
    return spans


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment ``days`` full working days after ``start`` (same clock time, Bangkok)."""
    local = start.astimezone(ZoneInfo(settings.TIME_ZONE))
    (span,) = working_day_spans(local.date(), local.date(), days)
    day = local.date() + timedelta(days=span)
    return datetime.combine(day, time(local.hour, local.minute, local.second), local.tzinfo)
