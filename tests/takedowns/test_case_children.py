"""Issue 24, item 2: evidence, items and every child record of a case follow their case's state and
ownership on every page and path that writes them (``case_items.CHILD_RULES``): the evidence
page and its delete actions, the case page's inlines, the item import and the services."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from takedowns import case_items, evidence
from takedowns.choices import CaseState
from takedowns.models import Evidence, InfringingItem, TakedownCase

from .admin_helpers import post_data
from .conftest import make_case, walk
from .test_import_export import admin_import

S = CaseState
pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ADD_EVIDENCE = reverse("admin:takedowns_evidence_add")
EVIDENCE_LIST = reverse("admin:takedowns_evidence_changelist")
DIP_ROLES = ("officer", "supervisor")
READ_ONLY_ROLES = ("liaison", "manager")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def cases(right, role_users):
    """A draft, a forwarded, a removed (decided) and a closed case, one item each."""
    return SimpleNamespace(
        draft=make_case(right),
        forwarded=walk(make_case(right), S.FORWARDED, role_users),
        removed=walk(make_case(right), S.REMOVED, role_users),
        closed=walk(make_case(right), S.CLOSED, role_users),
    )


def evidence_form(case, item=None, name="shot.png"):
    """The evidence page's form as a browser sends it, for ``case`` (and ``item``)."""
    return {
        "case": case.pk,
        "item": item.pk if item else "",
        "kind": "screenshot",
        "file": SimpleUploadedFile(name, PNG, "image/png"),
        "captured_at_0": "2026-11-20",
        "captured_at_1": "10:00:00",
        "description": "หน้าร้าน",
    }


def kept_evidence(case, name="kept.png"):
    """Evidence uploaded while the case allowed it (before the platform decided)."""
    return Evidence.objects.create(
        case=case,
        file=SimpleUploadedFile(name, PNG, "image/png"),
        captured_at="2026-11-20T10:00:00+07:00",
        original_name=name,
        content_type="image/png",
        size=len(PNG),
        sha256=name.ljust(64, "0")[:64],
    )


def form_errors(response, field):
    return response.context["adminform"].form.errors.get(field, [])


# --- the evidence page -----------------------------------------------------------------------


@pytest.mark.parametrize("role", DIP_ROLES)
def test_evidence_page_refuses_an_item_of_another_case(role, cases, role_users, client_for):
    """An item of a draft on evidence of a forwarded case put the draft's URL before the liaison."""
    client = client_for(role_users[role])
    draft_item = cases.draft.items.get()
    response = client.post(ADD_EVIDENCE, evidence_form(cases.forwarded, draft_item))
    assert response.status_code == 200
    assert form_errors(response, "item")
    assert not Evidence.objects.exists()
    own_item = cases.forwarded.items.get()
    response = client.post(ADD_EVIDENCE, evidence_form(cases.forwarded, own_item))
    assert response.status_code == 302
    assert Evidence.objects.get().item == own_item
    liaison = client_for(role_users["liaison"])
    shown = (
        liaison.get(EVIDENCE_LIST).content.decode()
        + liaison.get(
            reverse("admin:takedowns_evidence_history", args=[Evidence.objects.get().pk])
        ).content.decode()
    )
    assert draft_item.normalized_url not in shown


@pytest.mark.parametrize("role", DIP_ROLES)
@pytest.mark.parametrize("state", ["removed", "closed"])
def test_evidence_page_refuses_cases_past_the_platforms_decision(
    role, state, cases, role_users, client_for
):
    case = getattr(cases, state)
    client = client_for(role_users[role])
    response = client.post(ADD_EVIDENCE, evidence_form(case))
    assert response.status_code == 200
    assert any(case.reference in error for error in form_errors(response, "case"))
    assert not Evidence.objects.exists()
    # the same page takes evidence of a case the platform has not decided yet
    assert client.post(ADD_EVIDENCE, evidence_form(cases.forwarded)).status_code == 302


@pytest.mark.parametrize("role", DIP_ROLES)
def test_evidence_of_a_decided_case_cannot_be_deleted(role, cases, role_users, client_for):
    client = client_for(role_users[role])
    decided = kept_evidence(cases.removed)
    delete = reverse("admin:takedowns_evidence_delete", args=[decided.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [decided.pk], "post": "yes"}
    assert client.post(EVIDENCE_LIST, bulk).status_code == 403
    assert Evidence.objects.filter(pk=decided.pk).exists()
    # evidence of a case DIP still prepares goes, one by one or selected in the list
    drafts = [kept_evidence(cases.draft, "a.png"), kept_evidence(cases.draft, "b.png")]
    one = reverse("admin:takedowns_evidence_delete", args=[drafts[0].pk])
    assert client.post(one, {"post": "yes"}).status_code == 302
    bulk["_selected_action"] = [drafts[1].pk]
    assert client.post(EVIDENCE_LIST, bulk).status_code == 302
    assert list(Evidence.objects.all()) == [decided]


@pytest.mark.parametrize("role", DIP_ROLES)
def test_evidence_bulk_delete_of_a_mixed_selection_deletes_nothing(
    role, cases, role_users, client_for
):
    client = client_for(role_users[role])
    rows = [kept_evidence(cases.draft, "a.png"), kept_evidence(cases.removed, "b.png")]
    bulk = {"action": "delete_selected", "_selected_action": [e.pk for e in rows], "post": "yes"}
    assert client.post(EVIDENCE_LIST, bulk).status_code == 403
    assert Evidence.objects.count() == 2


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
def test_evidence_page_refuses_every_write_of_the_platform_and_the_manager(
    role, cases, role_users, client_for
):
    client = client_for(role_users[role])
    existing = kept_evidence(cases.forwarded)
    assert client.post(ADD_EVIDENCE, evidence_form(cases.forwarded)).status_code == 403
    delete = reverse("admin:takedowns_evidence_delete", args=[existing.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [existing.pk], "post": "yes"}
    client.post(EVIDENCE_LIST, bulk)
    assert list(Evidence.objects.all()) == [existing]


# --- the case page's inlines -------------------------------------------------------------------


@pytest.mark.parametrize("role", DIP_ROLES)
def test_case_page_crafted_rows_of_a_decided_case_change_nothing(
    role, cases, role_users, client_for
):
    """A decided case's page still saves DIP's own fields; rows added to or deleted from its
    evidence and items in a crafted POST are ignored."""
    case = cases.removed
    existing = kept_evidence(case)
    item = case.items.get()
    url = reverse("admin:takedowns_takedowncase_change", args=[case.pk])
    client = client_for(role_users[role])
    page = client.get(url)
    data = post_data(
        page,
        internal_note="ตรวจแล้ว",
        **{
            "evidence-TOTAL_FORMS": "2",
            "evidence-INITIAL_FORMS": "1",
            "evidence-0-id": existing.pk,
            "evidence-0-DELETE": "on",
            "evidence-1-kind": "screenshot",
            "evidence-1-file": SimpleUploadedFile("new.png", PNG, "image/png"),
            "evidence-1-captured_at_0": "2026-11-20",
            "evidence-1-captured_at_1": "10:00:00",
            "items-TOTAL_FORMS": "2",
            "items-INITIAL_FORMS": "1",
            "items-0-id": item.pk,
            "items-0-DELETE": "on",
            "items-1-kind": "listing",
            "items-1-url": "https://shop.tiktok.com/view/product/99001",
        },
    )
    assert client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert case.internal_note == "ตรวจแล้ว"
    assert list(case.evidence.all()) == [existing]
    assert list(case.items.all()) == [item]


# --- imports and the services ------------------------------------------------------------------


@pytest.mark.parametrize("role", DIP_ROLES)
def test_item_import_follows_the_case_rule(role, cases, role_users, client_for):
    client = client_for(role_users[role])
    csv = (
        "case_reference,kind,url\r\n"
        f"{cases.removed.reference},listing,https://shop.tiktok.com/view/product/99002\r\n"
    ).encode()
    response, confirmed = admin_import(client, "infringingitem", csv)
    assert confirmed is None
    assert cases.removed.reference in response.content.decode()
    assert cases.removed.items.count() == 1
    csv = csv.replace(cases.removed.reference.encode(), cases.draft.reference.encode())
    _response, confirmed = admin_import(client, "infringingitem", csv)
    assert confirmed.status_code == 302
    assert cases.draft.items.count() == 2


def test_child_check_reads_the_case_state_again(cases, officer):
    """A case object read before the platform moved it does not open the door again."""
    stale = TakedownCase.objects.get(pk=cases.removed.pk)
    stale.state = S.DRAFT
    with pytest.raises(ValidationError) as error:
        case_items.child_check(case=stale, model=InfringingItem, action="add", actor=officer)
    assert error.value.code == "case_locked"
    assert stale.state == S.REMOVED


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
def test_child_services_refuse_the_platform_and_the_manager(role, cases, role_users):
    user = role_users[role]
    with pytest.raises(PermissionDenied):
        case_items.item_delete(item=cases.draft.items.get(), actor=user)
    with pytest.raises(PermissionDenied):
        evidence.evidence_delete(evidence=kept_evidence(cases.draft), actor=user)
    assert cases.draft.items.count() == 1 and Evidence.objects.count() == 1


def test_evidence_service_refuses_an_item_of_another_case(cases, officer):
    stray = Evidence(
        case=cases.forwarded,
        item=cases.draft.items.get(),
        file=SimpleUploadedFile("s.png", PNG, "image/png"),
        captured_at="2026-11-20T10:00:00+07:00",
        sha256="s" * 64,
    )
    with pytest.raises(ValidationError) as error:
        evidence.evidence_add(evidence=stray, actor=officer)
    assert "item" in error.value.error_dict
    assert not Evidence.objects.exists()
