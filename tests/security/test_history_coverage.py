"""Audit history: every model a role may add or change keeps django-simple-history, its admin shows
it, imports record who imported which file, and the history pages stay inside each user's scope.

Generated from the model registry and the role declarations, so a model added later is covered.
"""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.admin import ImportMixin
from simple_history.admin import SimpleHistoryAdmin

from portal.models import Agreement, Target, Workstream
from portal.roles import declared_permissions

pytestmark = pytest.mark.django_db

#: Models roles may edit that deliberately keep no simple-history table, with the reason.
NO_HISTORY: dict[str, str] = {
    "api.DecisionUpload": "an upload is itself the record (read-only for everyone); the case "
    "changes it applies are kept in the cases' history",
}


def editable_models():
    wanted = set()
    for perms in declared_permissions().values():
        for app_label, codename in perms:
            action, _, model_name = codename.partition("_")
            if action in {"add", "change"}:
                wanted.add(apps.get_model(app_label, model_name)._meta.label)
    return sorted(wanted)


def has_history(model) -> bool:
    return bool(getattr(model._meta, "simple_history_manager_attribute", None))


@pytest.mark.parametrize("label", editable_models())
def test_every_editable_model_keeps_history(label):
    model = apps.get_model(label)
    if label in NO_HISTORY:
        pytest.skip(NO_HISTORY[label])
    assert has_history(model), f"{label}: add `history = HistoricalRecords()`"
    model_admin = admin.site._registry.get(model)
    if model_admin is not None:
        assert isinstance(model_admin, SimpleHistoryAdmin), (
            f"{label}: its admin should subclass simple_history.admin.SimpleHistoryAdmin"
        )


IMPORT_ADMINS = sorted(
    (m._meta.label, ma) for m, ma in admin.site._registry.items() if isinstance(ma, ImportMixin)
)


@pytest.mark.parametrize("label, model_admin", IMPORT_ADMINS, ids=[x[0] for x in IMPORT_ADMINS])
def test_imports_write_row_by_row_or_with_history(label, model_admin, rf, supervisor):
    """Bulk mode skips save() and its signals, so it would leave no history."""
    request = rf.get("/")
    request.user = supervisor
    for resource_class in model_admin.get_import_resource_classes(request):
        if resource_class._meta.use_bulk:
            assert hasattr(resource_class, "bulk_write"), (
                f"{label}: {resource_class.__name__} imports in bulk without history"
            )
    assert has_history(model_admin.model), f"{label} is imported but keeps no history"


@pytest.fixture
def workstream(db):
    agreement = Agreement.objects.create(
        title="MOU", parties="DIP, TikTok", signed_on=datetime.date(2025, 1, 1)
    )
    return Workstream.objects.create(agreement=agreement, code="gi_promotion")


def _import(client, url, content: bytes, name="targets.csv"):
    response = client.post(url, {"import_file": SimpleUploadedFile(name, content), "format": "0"})
    assert response.status_code == 200, response.content[:500]
    form = response.context.get("confirm_form")
    assert form is not None, response.context["result"].base_errors or response.content[:2000]
    data = {key: value for key, value in form.initial.items()}
    return client.post(reverse("admin:portal_target_process_import"), data)


def test_an_admin_import_records_the_importing_user_and_file(
    client_for, supervisor, manager, workstream
):
    target = Target.objects.create(
        workstream=workstream,
        name="GI sellers live",
        metric=Target._meta.get_field("metric").choices[0][0],
        target_value=10,
        unit="shops",
        period_start=datetime.date(2025, 1, 1),
        due_date=datetime.date(2026, 12, 31),
    )
    csv = (
        "id,workstream,name,metric,target_value,unit,period_start,due_date\n"
        f"{target.pk},gi_promotion,GI sellers live,{target.metric},25,shops,2025-01-01,2026-12-31\n"
    ).encode()
    client = client_for(supervisor)
    response = _import(client, reverse("admin:portal_target_import"), csv)
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.target_value == 25

    latest = target.history.latest()
    assert latest.history_user == supervisor
    assert latest.history_type == "~"
    assert "targets.csv" in (latest.history_change_reason or "")

    # the manager (read-only) sees who imported what in the history page
    page = client_for(manager).get(reverse("admin:portal_target_history", args=[target.pk]))
    assert page.status_code == 200
    assert "supervisor" in page.content.decode()


def test_history_cannot_be_reverted(client_for, supervisor, workstream):
    """A revert would bypass the services; history pages are read-only."""
    agreement = workstream.agreement
    agreement.title = "MOU (amended)"
    agreement.save()
    first = agreement.history.earliest()
    url = reverse("admin:portal_agreement_simple_history", args=[agreement.pk, first.history_id])
    client = client_for(supervisor)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"title": "MOU", "parties": agreement.parties, "signed_on": "2025-01-01"}
    )
    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.title == "MOU (amended)"


def test_history_pages_stay_inside_the_liaisons_scope(client_for, liaison, officer):
    """The liaison sees only forwarded cases; a draft case's past values stay hidden too."""
    from takedowns.models import TakedownCase
    from tests.security.builders import build

    case = build(TakedownCase)
    version = case.history.latest()
    client = client_for(liaison)
    assert (
        client.get(reverse("admin:takedowns_takedowncase_change", args=[case.pk])).status_code
        == 302
    )
    for url in (
        reverse("admin:takedowns_takedowncase_history", args=[case.pk]),
        reverse("admin:takedowns_takedowncase_simple_history", args=[case.pk, version.history_id]),
    ):
        assert client.get(url).status_code == 404, url
    url = reverse("admin:takedowns_takedowncase_history", args=[case.pk])
    assert client_for(officer).get(url).status_code == 200
