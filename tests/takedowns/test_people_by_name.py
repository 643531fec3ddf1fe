"""Issue 25, item 6: every relation is picked by autocomplete, and people appear by their names."""

import pytest
from django.contrib import admin
from django.urls import reverse

from takedowns.choices import CaseState
from takedowns.models import StatusEvent
from tests.takedowns.conftest import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def named(officer, supervisor, liaison):
    for user, first, last in (
        (officer, "สมศรี", "ตรวจตรา"),
        (supervisor, "วิชัย", "ใจดี"),
        (liaison, "Alex", "Tan"),
    ):
        user.first_name, user.last_name = first, last
        user.save()
    return officer, supervisor, liaison


PROJECT_APPS = {"portal", "gi_catalog", "takedowns", "training", "api", "jobs", "dashboard"}


def _add_pages():
    """The project's own admin pages (a library's superuser-only page keeps its widgets)."""
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if opts.app_label not in PROJECT_APPS:
            continue
        yield f"admin:{opts.app_label}_{opts.model_name}_add", model_admin


def test_raw_id_widgets_no_admin_form_has_one(client_for, superuser):
    client = client_for(superuser)
    checked = 0
    for url_name, model_admin in _add_pages():
        assert not model_admin.raw_id_fields, url_name
        response = client.get(reverse(url_name))
        if response.status_code != 200:
            continue  # no add page (reference data, logs)
        checked += 1
        assert b"vForeignKeyRawIdAdminField" not in response.content, url_name
    assert checked > 10


def test_raw_id_widgets_case_people_are_autocompletes(client_for, officer, right):
    page = client_for(officer).get(reverse("admin:takedowns_takedowncase_add"))
    html = page.content.decode()
    for field in ("assigned_officer", "assigned_liaison", "rights_holder", "right"):
        assert f'name="{field}"' in html
        assert f'data-field-name="{field}"' in html  # Django's autocomplete widget


def _autocomplete(client, field, term=""):
    return client.get(
        reverse("admin:autocomplete"),
        {"app_label": "takedowns", "model_name": "takedowncase", "field_name": field, "term": term},
    )


def test_people_by_name_autocomplete_offers_dip_staff_by_name(client_for, named):
    officer, supervisor, liaison = named
    response = _autocomplete(client_for(officer), "assigned_officer")
    assert response.status_code == 200
    texts = {row["text"] for row in response.json()["results"]}
    assert texts == {"สมศรี ตรวจตรา", "วิชัย ใจดี"}  # DIP staff only, by name

    response = _autocomplete(client_for(officer), "assigned_liaison", "tan")
    assert [row["text"] for row in response.json()["results"]] == ["Alex Tan"]


def test_people_by_name_autocomplete_refused_to_platform_and_managers(client_for, named, manager):
    _, _, liaison = named
    assert _autocomplete(client_for(liaison), "assigned_officer").status_code == 403
    assert _autocomplete(client_for(manager), "assigned_officer").status_code == 403
    assert client_for(liaison).get(reverse("admin:auth_user_changelist")).status_code == 403


def test_people_by_name_assigning_a_liaison_as_officer_is_refused(client_for, named, right):
    from tests.takedowns.admin_helpers import new_case_data

    officer, _, liaison = named
    client = client_for(officer)
    url = reverse("admin:takedowns_takedowncase_add")
    data = new_case_data(client.get(url), right, assigned_officer=liaison.pk)
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "assigned_officer" in response.context["adminform"].form.errors


def test_people_by_name_in_the_form_the_log_and_the_history(client_for, named, right):
    officer, supervisor, _ = named
    case = make_case(right, assigned_officer=officer)
    StatusEvent.objects.create(
        case=case, from_state=CaseState.DRAFT, to_state=CaseState.DIP_REVIEW, actor=officer
    )
    client = client_for(supervisor)
    change = client.get(reverse("admin:takedowns_takedowncase_change", args=[case.pk]))
    html = change.content.decode()
    assert "สมศรี ตรวจตรา" in html
    assert ">officer<" not in html

    events = client.get(reverse("admin:takedowns_statusevent_changelist"))
    assert "สมศรี ตรวจตรา" in events.content.decode()

    case.title = "แก้ชื่อเรื่อง"
    case._history_user = supervisor
    case.save()
    history = client.get(reverse("admin:takedowns_takedowncase_history", args=[case.pk]))
    assert "วิชัย ใจดี" in history.content.decode()


def test_people_by_name_read_only_on_the_evidence_page(client_for, named, right):
    from tests.takedowns.test_case_children import kept_evidence

    officer, supervisor, _ = named
    evidence = kept_evidence(make_case(right))
    evidence.uploaded_by = officer
    evidence.save()
    page = client_for(supervisor).get(
        reverse("admin:takedowns_evidence_change", args=[evidence.pk])
    )
    html = page.content.decode()
    assert "สมศรี ตรวจตรา" in html
    assert ">officer<" not in html
