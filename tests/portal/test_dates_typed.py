"""Issue 23, item 4 "Dates typed in forms": a Thai user types and reads Buddhist-era (BE) years in
every date input of the admin, an English user Christian-era (CE) ones, and a year of the other
era is refused with what to type, never stored as typed."""

import re
from datetime import date, datetime

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.sessions.backends.db import SessionStore
from django.db import models
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from portal.fields import LocalDateField, LocalSplitDateTimeField
from portal.models import Agreement, PublicHoliday, Target, Workstream
from training.choices import PlatformTool
from training.models import Course, TrainingSession

pytestmark = pytest.mark.django_db

HOLIDAY_ADD = "admin:portal_publicholiday_add"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_dates_typed_in_forms_thai_user_types_and_reads_be_years(supervisor, client_for):
    client = client_for(supervisor)
    response = client.post(reverse(HOLIDAY_ADD), {"date": "02/11/2569", "name": "วันทดสอบ"})
    assert response.status_code == 302, _text(response)[-1500:]
    holiday = PublicHoliday.objects.get(name="วันทดสอบ")
    assert holiday.date == date(2026, 11, 2)
    page = client.get(reverse("admin:portal_publicholiday_change", args=[holiday.pk]))
    assert 'value="02/11/2569"' in page.content.decode()
    assert 'data-era="BE"' in page.content.decode()


def test_dates_typed_in_forms_a_ce_year_in_a_thai_date_is_refused_with_the_be_date(
    supervisor, client_for
):
    response = client_for(supervisor).post(
        reverse(HOLIDAY_ADD), {"date": "02/11/2026", "name": "ปี ค.ศ."}
    )
    assert response.status_code == 200
    assert "02/11/2569" in _text(response)
    assert not PublicHoliday.objects.filter(name="ปี ค.ศ.").exists()


def test_dates_typed_in_forms_a_be_year_typed_in_english_is_refused(supervisor, client_for):
    client = _english(client_for(supervisor))
    for typed in ("2571-11-30", "30/11/2571"):
        response = client.post(reverse(HOLIDAY_ADD), {"date": typed, "name": "Typed in BE"})
        assert response.status_code == 200
        shown = _text(response)
        assert "2571 is a Buddhist-era year" in shown
        assert "2028" in shown  # what to type instead
    assert not PublicHoliday.objects.filter(name="Typed in BE").exists()
    response = client.post(reverse(HOLIDAY_ADD), {"date": "2028-11-30", "name": "Typed in CE"})
    assert response.status_code == 302
    holiday = PublicHoliday.objects.get(name="Typed in CE")
    assert holiday.date == date(2028, 11, 30)
    page = client.get(reverse("admin:portal_publicholiday_change", args=[holiday.pk]))
    assert 'value="2028-11-30"' in page.content.decode()


@pytest.mark.parametrize("typed", ["11/30/2569", "30/11/69", "31/02/2569", "พรุ่งนี้"])
def test_dates_typed_in_forms_what_cannot_be_read_for_sure_is_refused(
    typed, supervisor, client_for
):
    response = client_for(supervisor).post(reverse(HOLIDAY_ADD), {"date": typed, "name": "x"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not PublicHoliday.objects.filter(name="x").exists()


def test_dates_typed_in_forms_moments_and_inline_dates_in_be(officer, supervisor, client_for):
    """A date and time (split input) and the dates of an inline's rows read BE years too."""
    course = Course.objects.create(
        code="LIVE-101", title_th="LIVE", title_en="LIVE", tool=PlatformTool.LIVE_TOOLS
    )
    response = client_for(officer).post(
        reverse("admin:training_trainingsession_add"),
        {
            "course": course.pk,
            "starts_at_0": "1/6/2569",
            "starts_at_1": "09:00",
            "ends_at_0": "01/06/2569",
            "ends_at_1": "16:00",
            "mode": "online",
            "online_url": "https://meet.example.org/live",
            "trainer": "TikTok Shop Academy",
            "capacity": "20",
            "attendances-TOTAL_FORMS": "0",
            "attendances-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, _text(response)[-1500:]
    session = TrainingSession.objects.get(course=course)
    assert timezone.localtime(session.starts_at).replace(tzinfo=None) == datetime(2026, 6, 1, 9)
    page = client_for(officer).get(
        reverse("admin:training_trainingsession_change", args=[session.pk])
    )
    assert 'value="01/06/2569"' in page.content.decode()

    agreement = Agreement.objects.create(title="MOU", parties="DIP, TikTok", signed_on="2025-06-01")
    workstream = Workstream.objects.create(agreement=agreement, code="gi_promotion")
    response = client_for(supervisor).post(
        reverse("admin:portal_workstream_change", args=[workstream.pk]),
        {
            "agreement": agreement.pk,
            "code": "gi_promotion",
            "lead": "",
            "description": "",
            "targets-TOTAL_FORMS": "1",
            "targets-INITIAL_FORMS": "0",
            "targets-0-name": "GI sellers onboarded",
            "targets-0-metric": "sellers_onboarded",
            "targets-0-target_value": "100",
            "targets-0-unit": "sellers",
            "targets-0-period_start": "1/1/2569",
            "targets-0-due_date": "31/12/2569",
        },
    )
    assert response.status_code == 302, _text(response)[-1500:]
    target = Target.objects.get(workstream=workstream)
    assert (target.period_start, target.due_date) == (date(2026, 1, 1), date(2026, 12, 31))


def _date_fields(form_class):
    for name, form_field in form_class.base_fields.items():
        model_field = getattr(form_class._meta.model, name, None)
        model_field = getattr(model_field, "field", None)
        if isinstance(model_field, models.DateField):
            yield name, form_field


def test_dates_typed_in_forms_every_date_input_of_the_admin_reads_the_users_era(
    django_user_model,
):
    """Every date and moment field of every admin form and inline, found from the registry."""
    request = RequestFactory().get("/admin/")
    request.user = django_user_model(is_superuser=True, is_staff=True)
    request.session = SessionStore()
    checked, wrong = [], []
    for model_admin in admin.site._registry.values():
        forms = [model_admin.get_form(request)]
        forms += [
            inline.get_formset(request).form for inline in model_admin.get_inline_instances(request)
        ]
        for form_class in forms:
            for name, form_field in _date_fields(form_class):
                expected = (
                    LocalSplitDateTimeField
                    if isinstance(
                        form_class._meta.model._meta.get_field(name), models.DateTimeField
                    )
                    else LocalDateField
                )
                checked.append((form_class._meta.model.__name__, name))
                if not isinstance(form_field, expected):
                    wrong.append((form_class._meta.model.__name__, name, type(form_field)))
    assert not wrong
    # The portal's own dates are among them: a holiday, a target (inline), a session's times.
    assert {
        ("PublicHoliday", "date"),
        ("Target", "due_date"),
        ("TrainingSession", "starts_at"),
    } <= set(checked)


def test_dates_typed_in_forms_the_date_range_filter_reads_and_shows_be_years(
    supervisor, client_for
):
    """The lists' date-range filter is a date input too: BE in Thai, with the admin's calendar."""
    page = client_for(supervisor).get(
        reverse("admin:portal_publicholiday_changelist"),
        {"date_after": "01/12/2569", "date_before": "2026-12-31"},
    )
    assert page.status_code == 200
    html = page.content.decode()
    shown = _text(page)
    assert "10 ธ.ค. 2569" in shown and "1 ม.ค. 2570" not in shown and "2568" not in shown
    assert 'value="01/12/2569"' in html and 'value="31/12/2569"' in html
    assert "DateTimeShortcuts.js" in html and "buddhist-era-calendar.js" in html
    refused = client_for(supervisor).get(
        reverse("admin:portal_publicholiday_changelist"), {"date_after": "01/12/2026"}
    )
    assert refused.status_code == 302 and "e=1" in refused["Location"]
