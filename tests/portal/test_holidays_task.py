"""Item 17.4: a yearly beat task loads next year's Thai public holidays (for the SLA's working days)."""

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from portal.celery import app
from portal.models import PublicHoliday
from portal.reference_data import thai_public_holidays

pytestmark = pytest.mark.django_db


def _next_year():
    return timezone.localdate().year + 1


@pytest.fixture
def tasks():
    """The tasks a worker (and beat) registers: the apps' ``tasks`` modules, found as a worker does."""
    app.loader.import_default_modules()
    return app.tasks


def test_the_beat_runs_the_holiday_task_once_a_year(tasks):
    entry = settings.CELERY_BEAT_SCHEDULE["portal-load-next-year-holidays"]
    assert entry["task"] in tasks
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    # one minute of one hour of one day of one month: once a year
    assert len(schedule.minute) == len(schedule.hour) == 1
    assert len(schedule.day_of_month) == len(schedule.month_of_year) == 1
    assert schedule.day_of_week == set(range(7))


def test_the_task_loads_next_years_holidays_and_keeps_edits(tasks):
    year = _next_year()
    expected = thai_public_holidays([year])
    PublicHoliday.objects.filter(date__year=year).delete()
    first, *rest = sorted(expected)
    PublicHoliday.objects.create(date=first, name="edited by the supervisor")

    added = tasks["portal.tasks.load_next_year_holidays"].delay().get()

    assert added == len(rest)
    loaded = dict(PublicHoliday.objects.filter(date__year=year).values_list("date", "name"))
    assert set(loaded) == set(expected)
    assert loaded[first] == "edited by the supervisor"
    assert tasks["portal.tasks.load_next_year_holidays"].delay().get() == 0


def test_the_load_holidays_command_adds_a_years_holidays(capsys):
    year = _next_year() + 1
    PublicHoliday.objects.filter(date__year=year).delete()
    call_command("load_holidays", str(year))
    assert capsys.readouterr().out.strip() == f"{len(thai_public_holidays([year]))} holidays added"
