"""Who may do what in training: the liaison and outsiders nothing, managers read, officers write."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from portal.roles import LIAISON, MANAGER, OFFICER, SUPERVISOR
from training import services

from .conftest import csv_bytes, import_file

pytestmark = pytest.mark.django_db

MODELS = ("course", "trainingsession", "participant", "attendance", "consultation")


def training_perms(role):
    return set(
        Group.objects.get(name=role)
        .permissions.filter(content_type__app_label="training")
        .values_list("codename", flat=True)
    )


def test_declared_permissions():
    assert training_perms(LIAISON) == set()
    signatory = "certificatesignatory"  # kept by supervisors, read by the others
    assert training_perms(MANAGER) == {f"view_{m}" for m in (*MODELS, signatory)}
    assert training_perms(OFFICER) == {
        f"{a}_{m}" for m in MODELS for a in ("view", "add", "change")
    } | {f"view_{signatory}"}
    assert training_perms(SUPERVISOR) == {
        f"{a}_{m}" for m in (*MODELS, signatory) for a in ("view", "add", "change", "delete")
    }


@pytest.fixture
def objects(session, participants):
    attendance = services.attendance_register(
        session=session, participant=participants[0], attended=True, score=80, completed=True
    )
    return {
        "course": session.course,
        "trainingsession": session,
        "participant": participants[0],
        "attendance": attendance,
    }


def urls(objects):
    for model in MODELS:
        yield reverse(f"admin:training_{model}_changelist")
        yield reverse(f"admin:training_{model}_add")
        yield reverse(f"admin:training_{model}_import")
        yield reverse(f"admin:training_{model}_export")
        if model in objects:
            pk = objects[model].pk
            for view in ("change", "delete", "history"):
                yield reverse(f"admin:training_{model}_{view}", args=[pk])
    yield reverse("admin:training_attendance_certificate", args=[objects["attendance"].pk])
    yield reverse("admin:training_attendance_certificate_pdf", args=[objects["attendance"].pk])


@pytest.mark.parametrize("role", ["liaison", "outsider"])
def test_no_training_page_opens_for_the_liaison_or_an_outsider(
    role, role_users, client_for, objects
):
    client = client_for(role_users[role])
    for url in urls(objects):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"post": "yes", "capacity": "99"}).status_code == 403, url
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/training/" not in index


def test_liaison_cannot_import_a_sign_in_sheet(liaison, client_for, objects):
    rows = [["session", "participant_email"], ["LIVE-101-A", "staff2@ipthailand.go.th"]]
    assert import_file(client_for(liaison), "attendance", csv_bytes(rows)).status_code == 403
    assert objects["trainingsession"].attendances.count() == 1


def test_manager_reads_and_exports_but_writes_nothing(manager, client_for, objects):
    client = client_for(manager)
    for model in MODELS:
        assert client.get(reverse(f"admin:training_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:training_{model}_export")).status_code == 200
        assert client.get(reverse(f"admin:training_{model}_import")).status_code == 403
        assert client.get(reverse(f"admin:training_{model}_add")).status_code == 403
    for model, obj in objects.items():
        delete = reverse(f"admin:training_{model}_delete", args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
    assert objects["trainingsession"].attendances.count() == 1


def test_officer_cannot_delete_supervisor_can(officer, supervisor, client_for, objects):
    url = reverse("admin:training_attendance_delete", args=[objects["attendance"].pk])
    assert client_for(officer).post(url, {"post": "yes"}).status_code == 403
    assert client_for(supervisor).post(url, {"post": "yes"}).status_code == 302
    assert objects["trainingsession"].attendances.count() == 0
