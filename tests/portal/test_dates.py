"""One local date format: Bangkok time, Thai years in the Buddhist era, wherever a date is shown."""

from datetime import UTC, date, datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from portal.dates import buddhist_era, local_date, local_datetime

# 07:05 UTC on 2 December 2026 is 14:05 in Bangkok.
MOMENT = datetime(2026, 12, 2, 7, 5, tzinfo=UTC)


def test_buddhist_era_replaces_the_year_and_keeps_escapes():
    assert buddhist_era("j M Y", 2026) == r"j M \2\5\6\9"
    assert buddhist_era(r"y \Y", 2026) == r"\6\9 \Y"


@pytest.mark.parametrize(
    "language, day, moment",
    [("th", "2 ธ.ค. 2569", "2 ธ.ค. 2569 14:05"), ("en", "2 Dec 2026", "2 Dec 2026 14:05")],
)
def test_local_date_and_moment_in_bangkok(language, day, moment):
    with translation.override(language):
        assert local_date(MOMENT.date()) == day
        assert local_date(MOMENT) == day
        assert local_datetime(MOMENT) == moment
        assert local_datetime(None) == "—"


def test_templates_write_dates_the_same_way_and_keep_machine_formats():
    template = Template(
        '{{ at|date:"DATETIME_FORMAT" }}|{{ at|date:"SHORT_DATE_FORMAT" }}|{{ at|date }}|'
        '{{ at|date:"c" }}|{{ none|date }}'
    )
    with translation.override("th"):
        shown = template.render(Context({"at": MOMENT, "none": None}))
    assert shown == "2 ธ.ค. 2569 14:05|2 ธ.ค. 2569|2 ธ.ค. 2569|2026-12-02T14:05:00+07:00|"


@pytest.mark.django_db
def test_admin_list_shows_buddhist_era_dates_in_thai(supervisor, client_for):
    from portal.models import PublicHoliday

    PublicHoliday.objects.update_or_create(date=date(2026, 12, 10), defaults={"name": "วันรัฐธรรมนูญ"})
    page = client_for(supervisor).get(reverse("admin:portal_publicholiday_changelist"))
    assert "10 ธ.ค. 2569" in page.content.decode()


@pytest.mark.django_db
def test_an_upload_is_titled_in_bangkok_time(liaison):
    from portal.api.models import DecisionUpload

    upload = DecisionUpload(file_name="decisions.xlsx", uploaded_at=MOMENT, uploaded_by=liaison)
    with translation.override("en"):
        assert str(upload) == "decisions.xlsx (2 Dec 2026 14:05)"


def test_a_month_reads_as_the_locale_writes_it():
    from portal.dates import local_month

    with translation.override("th"):
        assert local_month("2026-11") == "พ.ย. 2569"
    with translation.override("en"):
        assert local_month(date(2026, 11, 30)) == "Nov 2026"


@pytest.mark.parametrize(
    "text, era, day",
    [
        ("30/11/2571", None, date(2028, 11, 30)),
        ("2571-11-30", None, date(2028, 11, 30)),
        ("30.11.2026", None, date(2026, 11, 30)),
        ("29/02/2567", None, date(2024, 2, 29)),  # BE 2567 is the leap year 2024
        ("30 พฤศจิกายน พ.ศ. 2569", None, date(2026, 11, 30)),
        ("30 Nov 2026", None, date(2026, 11, 30)),
        ("๓๐/๑๑/๒๕๖๙", None, date(2026, 11, 30)),
        ("30/11/2569", "BE", date(2026, 11, 30)),
        ("2026-11-30", "BE", date(2026, 11, 30)),  # ISO: its year is read as it is
        ("2026-11-30", "CE", date(2026, 11, 30)),
        ("", None, None),
    ],
)
def test_parse_date_reads_be_and_ce_years(text, era, day):
    from portal.dates import parse_date

    assert parse_date(text, era) == day


@pytest.mark.parametrize(
    "text, era, advice",
    [
        ("30/11/2026", "BE", "30/11/2569"),
        ("30/11/2571", "CE", "30/11/2028"),
        ("2571-11-30", "CE", "2028-11-30"),
        ("11/30/2026", None, "day/month/year"),
        ("30/11/69", None, "four-digit year"),
        ("31/02/2026", None, "not a day of the calendar"),
        ("30/11/9999", None, "too far ahead"),
        ("30/11/1850", None, "too far back"),
        ("30 Foo 2026", None, "not a month"),
    ],
)
def test_parse_date_refuses_what_it_cannot_read_for_sure(text, era, advice):
    from portal.dates import DateTextError, parse_date

    with translation.override("en"), pytest.raises(DateTextError, match=advice):
        parse_date(text, era)


def test_a_day_is_written_in_the_active_language_each_time():
    """``local_date`` remembers what it wrote per day and language, not across languages."""
    import datetime

    from django.utils import translation

    from portal.dates import local_date

    day = datetime.date(2026, 12, 2)
    with translation.override("th"):
        thai = local_date(day)
    with translation.override("en"):
        english = local_date(day)
    with translation.override("th"):
        assert local_date(day) == thai
    assert "2569" in thai and "2026" in english and thai != english
