import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from portal.roles import LIAISON, MANAGER, OFFICER, ROLES, SUPERVISOR, sync_roles

pytestmark = pytest.mark.django_db


def perms(role):
    return set(
        Group.objects.get(name=role).permissions.values_list("content_type__app_label", "codename")
    )


def test_migrate_creates_the_four_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)


def test_sync_is_idempotent_and_restores_drift():
    before = {role: perms(role) for role in ROLES}
    Group.objects.get(name=MANAGER).permissions.clear()
    sync_roles()
    sync_roles()
    assert {role: perms(role) for role in ROLES} == before


def test_only_supervisors_change_targets():
    assert ("portal", "change_target") in perms(SUPERVISOR)
    assert ("portal", "change_target") not in perms(OFFICER)
    assert ("portal", "view_target") in perms(MANAGER)


def test_managers_change_nothing():
    """Views only, and asking the dashboard to recompute its figures (which changes no data)."""
    others = {codename for _, codename in perms(MANAGER) if not codename.startswith("view_")}
    assert others == {"recompute_dashboard"}


def test_liaison_sees_no_catalog_or_training():
    assert not {app for app, _ in perms(LIAISON)} & {"gi_catalog", "training", "portal"}


@pytest.mark.parametrize("role", ["officer", "supervisor", "manager"])
def test_dip_roles_see_the_mou_in_the_admin(role, role_users, client_for):
    response = client_for(role_users[role]).get(reverse("admin:index"))
    assert response.status_code == 200
    assert reverse("admin:portal_target_changelist") in response.content.decode()


def test_liaison_cannot_open_targets(liaison, client_for):
    client = client_for(liaison)
    assert client.get(reverse("admin:portal_target_changelist")).status_code == 403


def test_manager_cannot_post_a_target_change(manager, client_for):
    from django.core.management import call_command

    from portal.models import Target

    call_command("demo_mou", verbosity=0)
    target = Target.objects.first()
    response = client_for(manager).post(
        reverse("admin:portal_target_change", args=[target.pk]),
        {
            "name": "hacked",
            "metric": target.metric,
            "target_value": "1",
            "unit": "x",
            "workstream": target.workstream_id,
            "period_start": "2026-01-01",
            "due_date": "2027-01-01",
        },
    )
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.name != "hacked"


def test_supervisor_edits_a_target_and_bad_dates_are_refused(supervisor, client_for):
    from django.core.management import call_command

    from portal.models import Target

    call_command("demo_mou", verbosity=0)
    target = Target.objects.first()
    url = reverse("admin:portal_target_change", args=[target.pk])
    data = {
        "name": "New KPI",
        "metric": target.metric,
        "target_value": "150",
        "unit": "shops",
        "workstream": target.workstream_id,
        "period_start": "2026-01-01",
        "due_date": "2025-01-01",
    }
    client = client_for(supervisor)
    response = client.post(url, data)
    assert response.status_code == 200
    assert (
        "cannot be before the start" in response.content.decode()
        or "ก่อน" in response.content.decode()
    )
    target.refresh_from_db()
    assert target.name != "New KPI"
    response = client.post(url, {**data, "due_date": "2027-12-31"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.name, target.target_value) == ("New KPI", 150)
