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
    template = Template('{{ at }}|{{ at|date:"SHORT_DATE_FORMAT" }}|{{ at|date:"c" }}')
    with translation.override("th"):
        shown = template.render(Context({"at": MOMENT}))
    assert shown == "2 ธ.ค. 2569 14:05|2 ธ.ค. 2569|2026-12-02T14:05:00+07:00"


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
