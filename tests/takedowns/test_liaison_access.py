"""What the TikTok liaison can read in the admin, beyond the pages it is meant to use: the audit
history of cases and items, change-list lookups on hidden fields, and seller case counts."""

import pytest
from django.urls import reverse

from takedowns.choices import CaseState
from takedowns.models import InfringingItem, TakedownCase
from tests.takedowns.conftest import make_case, walk

S = CaseState
pytestmark = pytest.mark.django_db

PHONE = "0899999999"
POSITION = "Head of enforcement"
NOTE_BEFORE = "internal: owner is slow to answer"
NOTE_AFTER = "internal: escalate to director"


def history_url(model, pk):
    return reverse(f"admin:takedowns_{model._meta.model_name}_history", args=[pk])


def version_url(model, pk, history_id):
    return reverse(
        f"admin:takedowns_{model._meta.model_name}_simple_history", args=[pk, history_id]
    )


@pytest.fixture
def forwarded_case(right, role_users):
    """A case DIP edited before forwarding, then edited again (its own fields) after it, on which
    the liaison has recorded its ticket id."""
    case = make_case(right, reporter_position="Officer")
    case.reporter_phone, case.reporter_position, case.internal_note = PHONE, POSITION, NOTE_BEFORE
    case.save()
    walk(case, S.UNDER_PLATFORM_REVIEW, role_users)
    case.refresh_from_db()
    case.internal_note = NOTE_AFTER
    case.save()
    case.ippc_ticket_id = "IPPC-4711"
    case.save()
    return case


def test_history_leaks_liaison_sees_only_platform_fields_from_forwarding_on(
    forwarded_case, client_for, liaison, officer
):
    """Item 1: the "Changes" column shows the liaison only the platform's fields, and only the rows
    from the forwarding on; DIP still sees everything."""
    url = history_url(TakedownCase, forwarded_case.pk)
    page = client_for(liaison).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    for secret in (PHONE, POSITION, NOTE_BEFORE, NOTE_AFTER):
        assert secret not in html, secret
    assert "IPPC-4711" in html
    rows = list(page.context["page_obj"].object_list)
    assert rows and all(
        row.state not in (S.DRAFT, S.DIP_REVIEW, S.READY_TO_FORWARD) for row in rows
    )
    assert min(row.history_date for row in rows) == (
        forwarded_case.history.filter(state=S.FORWARDED).earliest("history_date").history_date
    )

    dip = client_for(officer).get(url)
    dip_html = dip.content.decode()
    assert NOTE_AFTER in dip_html and PHONE in dip_html
    assert len(dip.context["page_obj"].object_list) > len(rows)


def test_history_leaks_single_version_view_before_forwarding_is_404(
    forwarded_case, client_for, liaison, officer
):
    """Item 1: the single-record history view (``/history/<id>/``) of a version from before the
    forwarding is not found for the liaison; a later one shows no hidden field."""
    client = client_for(liaison)
    draft = forwarded_case.history.filter(state=S.DRAFT).latest("history_date")
    later = forwarded_case.history.latest("history_date")
    url = version_url(TakedownCase, forwarded_case.pk, draft.history_id)
    assert client.get(url).status_code == 404
    assert client_for(officer).get(url).status_code == 200
    client = client_for(liaison)
    shown = client.get(version_url(TakedownCase, forwarded_case.pk, later.history_id))
    assert shown.status_code == 200
    html = shown.content.decode()
    for secret in (PHONE, POSITION, NOTE_AFTER):
        assert secret not in html, secret
    # a version id that belongs to another object is not found either
    other = make_case(forwarded_case.right)
    url = version_url(TakedownCase, forwarded_case.pk, other.history.latest().history_id)
    assert client.get(url).status_code == 404


def test_history_leaks_items_history_from_forwarding_on(forwarded_case, client_for, liaison):
    """Item 1: an item's history shows the liaison its versions from the case's forwarding on."""
    item = forwarded_case.items.get()
    item.title = "changed by DIP after the forwarding"
    item.save()
    page = client_for(liaison).get(history_url(InfringingItem, item.pk))
    assert page.status_code == 200
    rows = list(page.context["page_obj"].object_list)
    assert [row.title for row in rows] == ["changed by DIP after the forwarding"]
    created = item.history.earliest("history_date")
    url = version_url(InfringingItem, item.pk, created.history_id)
    assert client_for(liaison).get(url).status_code == 404


def test_history_leaks_deleted_draft_case_and_items_are_404(right, client_for, liaison, supervisor):
    """Item 1: the history of a deleted draft case and of its items is not found for the liaison
    (DIP keeps reading what was deleted)."""
    case = make_case(right, internal_note=NOTE_BEFORE)
    item = case.items.get()
    case_version = case.history.latest().history_id
    item_version = item.history.latest().history_id
    case_pk, item_pk = case.pk, item.pk
    case.delete()
    assert not TakedownCase.objects.filter(pk=case_pk).exists()
    urls = [
        history_url(TakedownCase, case_pk),
        version_url(TakedownCase, case_pk, case_version),
        history_url(InfringingItem, item_pk),
        version_url(InfringingItem, item_pk, item_version),
    ]
    for url in urls:
        assert client_for(liaison).get(url).status_code == 404, url
    assert client_for(supervisor).get(urls[0]).status_code == 200


def test_history_leaks_revert_post_is_refused(forwarded_case, client_for, liaison):
    """Item 1: a crafted POST to a version page (a revert) changes nothing."""
    later = forwarded_case.history.latest("history_date")
    url = version_url(TakedownCase, forwarded_case.pk, later.history_id)
    client = client_for(liaison)
    response = client.post(url, {"ippc_ticket_id": "REVERTED", "platform_note": "x"})
    assert response.status_code == 403
    draft = forwarded_case.history.filter(state=S.DRAFT).latest("history_date")
    url = version_url(TakedownCase, forwarded_case.pk, draft.history_id)
    assert client.post(url, {"ippc_ticket_id": "REVERTED"}).status_code == 404
    forwarded_case.refresh_from_db()
    assert forwarded_case.ippc_ticket_id == "IPPC-4711"


CASES = reverse("admin:takedowns_takedowncase_changelist")
HIDDEN_LOOKUPS = [
    "internal_note__icontains",
    "reporter_phone__startswith",
    "reporter_position__icontains",
    "assigned_officer__exact",
]


@pytest.mark.parametrize("lookup", HIDDEN_LOOKUPS)
def test_changelist_lookups_on_hidden_fields_are_refused(
    lookup, forwarded_case, client_for, liaison, officer
):
    """Item 2: a lookup on a field the liaison does not see is refused (400), not answered by
    which rows are left."""
    forwarded_case.assigned_officer = officer
    forwarded_case.save()
    value = {
        "internal_note__icontains": "escalate",
        "reporter_phone__startswith": "089",
        "reporter_position__icontains": "enforcement",
        "assigned_officer__exact": str(officer.pk),
    }[lookup]
    client = client_for(liaison)
    assert client.get(CASES).status_code == 200
    response = client.get(CASES, {lookup: value})
    assert response.status_code == 400
    assert forwarded_case.reference not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        CASES + "?state__regex=(",
        CASES + "?title__regex=(",
        CASES + "?reference__iregex=[",
        reverse("admin:takedowns_infringingitem_changelist") + "?url__regex=(",
        reverse("admin:takedowns_statusevent_changelist") + "?note__regex=(",
        reverse("admin:takedowns_evidence_changelist") + "?description__regex=(",
        reverse("admin:api_decisionupload_changelist") + "?results__regex=(",
    ],
)
@pytest.mark.parametrize("role", ["liaison", "officer"])
def test_changelist_lookups_regex_never_500(url, role, role_users, client_for, forwarded_case):
    """Item 2: ``__regex`` is not a list filter's lookup: 400 for every role, never a 500."""
    assert client_for(role_users[role]).get(url).status_code == 400


def test_changelist_lookups_of_the_visible_filters_still_work(forwarded_case, client_for, liaison):
    """Item 2: the list filters' own parameters (and their date ranges) keep filtering."""
    client = client_for(liaison)
    for query, found in [
        ({"state__exact": S.UNDER_PLATFORM_REVIEW}, True),
        ({"state__exact": S.REMOVED}, False),
        ({"right__right_type__exact": forwarded_case.right.right_type}, True),
        (
            {
                "forwarded_at__gte": "2000-01-01 00:00:00+07:00",
                "forwarded_at__lt": "2000-01-02 00:00:00+07:00",
            },
            False,
        ),
        ({"sla": "breached"}, False),
        ({"repeat": "yes"}, False),
    ]:
        response = client.get(CASES, query)
        assert response.status_code == 200, query
        assert (forwarded_case.reference in response.content.decode()) is found, query


def test_changelist_lookups_decision_uploads_keep_their_filters(client_for, liaison):
    """Item 2: the decision uploads' list filters (status, upload dates) still answer."""
    client = client_for(liaison)
    url = reverse("admin:api_decisionupload_changelist")
    assert client.get(url, {"status__exact": "applied"}).status_code == 200
    dates = {"uploaded_at_after": "2026-03-01", "uploaded_at_before": "2026-03-31"}
    assert client.get(url, dates).status_code == 200
    assert client.get(url, {"file_name__icontains": "x"}).status_code == 400


def _seller_in_drafts_and_one_forwarded_case(right, role_users):
    """A seller handle in 3 cases: one forwarded to the platform, two DIP drafts."""
    from takedowns.models import PlatformSeller

    forwarded = make_case(right, items=0)
    drafts = [make_case(right, items=0) for _ in range(2)]
    for n, case in enumerate([forwarded, *drafts]):
        InfringingItem.objects.create(
            case=case,
            kind="shop",
            url=f"https://www.tiktok.com/@busy.seller/{n}",
            seller_handle="busy.seller",
        )
    walk(forwarded, S.UNDER_PLATFORM_REVIEW, role_users)
    assert PlatformSeller.objects.get(handle="busy.seller").case_count == 3
    return forwarded


def test_seller_case_count_liaison_counts_only_cases_it_sees(right, role_users, client_for):
    """Item 4: the liaison's "cases of this seller" (case page, items list, case list's repeat
    column and repeat filter) counts only the cases it may see, not DIP's drafts."""
    forwarded = _seller_in_drafts_and_one_forwarded_case(right, role_users)
    liaison = client_for(role_users["liaison"])

    page = liaison.get(reverse("admin:takedowns_takedowncase_change", args=[forwarded.pk]))
    assert page.status_code == 200
    shown = [
        form.instance.seller.case_count
        for form in page.context["inline_admin_formsets"][0].formset.forms
    ]
    assert shown == [1]
    assert 'class="td-repeat">3<' not in page.content.decode()

    items = liaison.get(reverse("admin:takedowns_infringingitem_changelist"))
    assert [i.seller.case_count for i in items.context["cl"].result_list] == [1]
    assert 'class="field-visible_seller_cases">1<' in items.content.decode()
    # sorting by the stored count is not offered to the liaison
    assert "seller_cases" not in items.context["cl"].list_display

    cases = liaison.get(reverse("admin:takedowns_takedowncase_changelist"))
    assert "@busy.seller (" not in cases.content.decode()
    for url in (
        "admin:takedowns_takedowncase_changelist",
        "admin:takedowns_infringingitem_changelist",
    ):
        filtered = liaison.get(reverse(url), {"repeat": "yes"})
        assert filtered.status_code == 200
        assert list(filtered.context["cl"].result_list) == []

    # DIP keeps the full count
    officer = client_for(role_users["officer"])
    dip_items = officer.get(reverse("admin:takedowns_infringingitem_changelist"))
    assert {i.seller.case_count for i in dip_items.context["cl"].result_list} == {3}
    dip_cases = officer.get(reverse("admin:takedowns_takedowncase_changelist"), {"repeat": "yes"})
    assert forwarded in list(dip_cases.context["cl"].result_list)
