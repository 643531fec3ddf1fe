"""Monitoring sweeps through the admin: logging, a finding becoming a case, roles, bad input."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from gi_catalog.choices import GICategory
from gi_catalog.models import GIProduct
from takedowns import transitions
from takedowns.choices import CaseState, ItemKind, ReporterBasis, RightType
from takedowns.models import (
    InfringingItem,
    MonitoringSweep,
    ProtectedRight,
    StatusEvent,
    SweepFinding,
    TakedownCase,
)
from takedowns.sweeps import cases_by_source

from .admin_helpers import post_data
from .conftest import make_case, walk

S = CaseState
pytestmark = pytest.mark.django_db
SWEEP_ADD = reverse("admin:takedowns_monitoringsweep_add")
SWEEP_LIST = reverse("admin:takedowns_monitoringsweep_changelist")
FINDING_LIST = reverse("admin:takedowns_sweepfinding_changelist")


@pytest.fixture
def gi_product(db):
    return GIProduct.objects.create(
        registration_number="สช 49100001",
        name_th="ข้าวหอมมะลิทุ่งกุลาร้องไห้",
        name_en="Khao Hom Mali Thung Kula Rong-Hai",
        category=GICategory.AGRICULTURAL,
    )


@pytest.fixture
def gi_right(holder, gi_product):
    return ProtectedRight.objects.create(
        right_type=RightType.GI,
        name=gi_product.name_th,
        registration_number=gi_product.registration_number,
        owner=holder,
        valid_from=date(2020, 1, 1),
        gi_product=gi_product,
    )


def make_sweep(officer, *, swept_on=None, findings=(), **extra):
    fields = {
        "officer": officer,
        "swept_on": swept_on or timezone.localdate() - timedelta(days=1),
        "searched_product_search": True,
        "keywords": "ข้าวหอมมะลิ ทุ่งกุลา",
        "minutes_spent": 45,
    }
    fields.update(extra)
    sweep = MonitoringSweep.objects.create(**fields)
    for url, right in findings:
        SweepFinding.objects.create(
            sweep=sweep,
            kind=ItemKind.LISTING,
            url=url,
            seller_handle="@RiceCopy",
            observed="ใช้ชื่อ GI บนข้าวที่ไม่ได้มาจากทุ่งกุลา",
            right=right,
        )
    return sweep


def sweep_form(client, **overrides):
    page = client.get(SWEEP_ADD)
    assert page.status_code == 200
    return post_data(page, **overrides)


def run_action(client, findings):
    return client.post(
        FINDING_LIST,
        {"action": "create_cases", "_selected_action": [str(f.pk) for f in findings]},
        follow=True,
    )


def test_officer_logs_a_sweep_with_findings(officer, gi_right, gi_product, client_for):
    client = client_for(officer)
    yesterday = timezone.localdate() - timedelta(days=1)
    data = sweep_form(
        client,
        swept_on=yesterday.isoformat(),
        searched_product_search="on",
        searched_live="on",
        keywords="ข้าวหอมมะลิ\njasmine rice GI",
        gi_products=[str(gi_product.pk)],
        minutes_spent="90",
        **{
            "findings-TOTAL_FORMS": "2",
            "findings-0-kind": "listing",
            "findings-0-url": "http://www.shop.tiktok.com/view/product/555/?utm_source=copy",
            "findings-0-seller_handle": "@RiceCopy",
            "findings-0-observed": "ข้าวขาวธรรมดาติดป้ายทุ่งกุลา",
            "findings-0-right": str(gi_right.pk),
            "findings-1-kind": "live",
            "findings-1-url": "tiktok.com/@ricecopy/live",
            "findings-1-seller_handle": "ricecopy",
            "findings-1-observed": "ไลฟ์ขายข้าวใช้โลโก้ GI",
            "findings-1-right": "",
        },
    )
    response = client.post(SWEEP_ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    sweep = MonitoringSweep.objects.get()
    assert sweep.officer == officer and sweep.swept_on == yesterday
    assert (sweep.searched_product_search, sweep.searched_live, sweep.searched_video) == (
        True,
        True,
        False,
    )
    assert list(sweep.gi_products.all()) == [gi_product]
    urls = sorted(sweep.findings.values_list("normalized_url", "seller_handle"))
    assert urls == [
        ("https://shop.tiktok.com/view/product/555", "ricecopy"),
        ("https://tiktok.com/@ricecopy/live", "ricecopy"),
    ]
    assert sweep.history.count() == 1  # audit history kept

    listing = client.get(SWEEP_LIST)
    assert listing.status_code == 200
    assert sweep.reference.encode() in listing.content


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"swept_on": "FUTURE"}, "swept_on"),
        ({"minutes_spent": "0"}, "minutes_spent"),
        ({"minutes_spent": "5000"}, "minutes_spent"),
        ({"searched_product_search": None}, None),  # no surface ticked
        ({"keywords": "  "}, None),  # nothing searched
    ],
)
def test_bad_sweeps_are_refused_and_nothing_is_saved(officer, client_for, overrides, field):
    client = client_for(officer)
    if overrides.get("swept_on") == "FUTURE":
        overrides["swept_on"] = (timezone.localdate() + timedelta(days=1)).isoformat()
    base = {
        "swept_on": timezone.localdate().isoformat(),
        "searched_product_search": "on",
        "keywords": "ทุเรียนหลงลับแล",
        "minutes_spent": "30",
        "findings-TOTAL_FORMS": "0",
    }
    base.update(overrides)
    response = client.post(SWEEP_ADD, sweep_form(client, **base))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors
    if field:
        assert field in form.errors
    assert MonitoringSweep.objects.count() == 0


def test_a_sweep_cannot_name_a_liaison_as_its_officer(officer, liaison, client_for):
    client = client_for(officer)
    data = sweep_form(
        client,
        officer=str(liaison.pk),
        searched_video="on",
        keywords="ผ้าไหม",
        minutes_spent="20",
        **{"findings-TOTAL_FORMS": "0"},
    )
    response = client.post(SWEEP_ADD, data)
    assert response.status_code == 200
    assert "officer" in response.context["adminform"].form.errors
    assert not MonitoringSweep.objects.exists()


def test_a_finding_becomes_a_draft_case_that_walks_the_normal_workflow(
    officer, role_users, gi_right, client_for
):
    sweep = make_sweep(
        officer, findings=[("https://shop.tiktok.com/view/product/777?utm_medium=x", gi_right)]
    )
    finding = sweep.findings.get()
    client = client_for(officer)

    response = run_action(client, [finding])
    case = TakedownCase.objects.get()
    assert case.reference in response.content.decode()  # the success message links to it
    finding.refresh_from_db()
    assert finding.case == case
    assert case.state == S.DRAFT
    assert case.right == gi_right and case.rights_holder == gi_right.owner
    assert case.infringement_type == "gi_misuse"
    assert case.reporter_email == officer.email
    assert case.reporter_basis == ReporterBasis.DIP_MONITORING
    assert case.assigned_officer == officer
    assert sweep.reference in case.description
    item = case.items.get()
    assert item.normalized_url == "https://shop.tiktok.com/view/product/777"
    assert item.seller_handle == "ricecopy" and item.kind == ItemKind.LISTING
    assert StatusEvent.objects.get(case=case).actor == officer
    # "The case came from a sweep" is one join.
    assert list(TakedownCase.objects.filter(sweep_finding__sweep=sweep)) == [case]

    # The normal workflow: the officer submits it in the case admin, the supervisor forwards
    # it there, and the platform removes it.
    change = reverse("admin:takedowns_takedowncase_change", args=[case.pk])
    for user, to_state in (
        (officer, S.DIP_REVIEW),
        (officer, S.READY_TO_FORWARD),
        (role_users["supervisor"], S.FORWARDED),
    ):
        actor_client = client_for(user)
        page = actor_client.get(change)
        assert page.status_code == 200
        # The case page says where it came from, with a link to the sweep.
        html = page.content.decode()
        assert sweep.reference in html
        assert reverse("admin:takedowns_monitoringsweep_change", args=[sweep.pk]) in html
        summary = "Fake GI rice found in DIP's monitoring sweep."  # for the platform
        moved = actor_client.post(change, post_data(page, transition=to_state, summary_en=summary))
        assert moved.status_code == 302, moved.context["adminform"].form.errors
        case.refresh_from_db()
        assert case.state == to_state
    for to_state in (S.UNDER_PLATFORM_REVIEW, S.REMOVED):
        transitions.case_transition(case=case, to_state=to_state, actor=role_users["liaison"])
    case.refresh_from_db()
    assert case.state == S.REMOVED and case.removed_at is not None
    client = client_for(officer)

    # The sweep lists the case it produced and its outcome.
    page = client.get(reverse("admin:takedowns_monitoringsweep_change", args=[sweep.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert case.reference in html and str(S.REMOVED.label) in html
    assert reverse("admin:takedowns_takedowncase_change", args=[case.pk]) in html

    figures = cases_by_source()
    assert (figures["sweeps"].cases, figures["sweeps"].removed) == (1, 1)
    assert figures["sweeps"].removal_rate == 1.0
    assert figures["rights_holders"].cases == 0


def test_a_finding_whose_url_is_in_an_open_case_is_refused_with_a_link(
    officer, right, gi_right, client_for
):
    open_case = make_case(right)
    url = open_case.items.get().url.replace("https://", "http://www.") + "&utm_campaign=z"
    sweep = make_sweep(officer, findings=[(url, gi_right)])
    finding = sweep.findings.get()
    client = client_for(officer)

    # The findings list already warns.
    listing = client.get(FINDING_LIST)
    assert open_case.reference in listing.content.decode()

    response = run_action(client, [finding])
    messages_html = response.content.decode()
    link = reverse("admin:takedowns_takedowncase_change", args=[open_case.pk])
    assert f'<a href="{link}">{open_case.reference}</a>' in messages_html
    assert TakedownCase.objects.count() == 1
    assert InfringingItem.objects.count() == 1
    finding.refresh_from_db()
    assert finding.case is None


def test_a_closed_case_frees_the_url(officer, role_users, right, gi_right, client_for):
    closed = walk(make_case(right), S.CLOSED, role_users)
    sweep = make_sweep(officer, findings=[(closed.items.get().url, gi_right)])
    run_action(client_for(officer), [sweep.findings.get()])
    assert TakedownCase.objects.count() == 2


def test_a_finding_without_a_right_or_already_converted_is_refused(officer, gi_right, client_for):
    sweep = make_sweep(
        officer,
        findings=[
            ("https://shop.tiktok.com/view/product/1", None),
            ("https://shop.tiktok.com/view/product/2", gi_right),
        ],
    )
    without_right, with_right = sweep.findings.order_by("pk")
    client = client_for(officer)
    run_action(client, [with_right])
    response = run_action(client, [without_right, with_right])
    html = response.content.decode()
    assert TakedownCase.objects.count() == 1
    without_right.refresh_from_db()
    assert without_right.case is None
    assert "right_missing" not in html  # a message, not a code
    assert TakedownCase.objects.get().reference in html


def test_a_converted_finding_can_be_neither_changed_nor_deleted(
    officer, supervisor, gi_right, client_for
):
    sweep = make_sweep(officer, findings=[("https://shop.tiktok.com/view/product/9", gi_right)])
    finding = sweep.findings.get()
    run_action(client_for(officer), [finding])
    finding.refresh_from_db()

    # In its sweep's inline: a changed row is refused.
    client = client_for(officer)
    change = reverse("admin:takedowns_monitoringsweep_change", args=[sweep.pk])
    page = client.get(change)
    response = client.post(change, post_data(page, **{"findings-0-observed": "changed"}))
    assert response.status_code == 200
    finding.refresh_from_db()
    assert finding.observed != "changed"

    # On its own page: read-only; the supervisor may not delete it nor its sweep.
    client = client_for(supervisor)
    page = client.get(reverse("admin:takedowns_sweepfinding_change", args=[finding.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    delete = client.post(
        reverse("admin:takedowns_sweepfinding_delete", args=[finding.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    delete = client.post(
        reverse("admin:takedowns_monitoringsweep_delete", args=[sweep.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert SweepFinding.objects.filter(pk=finding.pk).exists()


def test_only_the_supervisor_deletes_a_sweep(officer, supervisor, client_for):
    sweep = make_sweep(officer)
    url = reverse("admin:takedowns_monitoringsweep_delete", args=[sweep.pk])
    assert client_for(officer).post(url, {"post": "yes"}).status_code == 403
    assert MonitoringSweep.objects.filter(pk=sweep.pk).exists()
    assert client_for(supervisor).post(url, {"post": "yes"}).status_code == 302
    assert not MonitoringSweep.objects.filter(pk=sweep.pk).exists()


def test_the_liaison_sees_none_of_it_even_with_crafted_posts(
    officer, liaison, gi_right, client_for
):
    sweep = make_sweep(officer, findings=[("https://shop.tiktok.com/view/product/3", gi_right)])
    finding = sweep.findings.get()
    client = client_for(liaison)
    for url in (
        SWEEP_LIST,
        FINDING_LIST,
        SWEEP_ADD,
        reverse("admin:takedowns_monitoringsweep_change", args=[sweep.pk]),
        reverse("admin:takedowns_sweepfinding_change", args=[finding.pk]),
        reverse("admin:takedowns_sweepfinding_export"),
        reverse("admin:takedowns_monitoringsweep_export"),
    ):
        assert client.get(url).status_code == 403, url
    assert run_action(client, [finding]).status_code == 403
    crafted = {
        "officer": str(officer.pk),
        "swept_on": "2026-01-05",
        "searched_live": "on",
        "keywords": "x",
        "minutes_spent": "10",
        "findings-TOTAL_FORMS": "0",
        "findings-INITIAL_FORMS": "0",
    }
    assert client.post(SWEEP_ADD, crafted).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert "monitoringsweep" not in index and "sweepfinding" not in index
    assert TakedownCase.objects.count() == 0 and MonitoringSweep.objects.count() == 1


def test_the_manager_reads_but_cannot_write_or_create_cases(officer, manager, gi_right, client_for):
    sweep = make_sweep(officer, findings=[("https://shop.tiktok.com/view/product/4", gi_right)])
    finding = sweep.findings.get()
    client = client_for(manager)
    assert client.get(SWEEP_LIST).status_code == 200
    listing = client.get(FINDING_LIST)
    assert listing.status_code == 200
    assert b"create_cases" not in listing.content
    run_action(client, [finding])
    assert TakedownCase.objects.count() == 0
    assert client.get(SWEEP_ADD).status_code == 403
    change = reverse("admin:takedowns_monitoringsweep_change", args=[sweep.pk])
    response = client.post(change, {"keywords": "changed", "minutes_spent": "1"})
    assert response.status_code == 403
    sweep.refresh_from_db()
    assert sweep.keywords != "changed"


def count_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["officer", "manager"])
@pytest.mark.parametrize("url", [SWEEP_LIST, FINDING_LIST])
def test_list_query_count_does_not_grow_with_rows(
    role, url, role_users, gi_right, gi_product, client_for
):
    client = client_for(role_users[role])
    officer = role_users["officer"]
    counter = iter(range(10_000))

    def add(n):
        for _ in range(n):
            sweep = make_sweep(
                officer,
                findings=[
                    (f"https://shop.tiktok.com/view/product/{next(counter)}", gi_right)
                    for _ in range(2)
                ],
            )
            sweep.gi_products.add(gi_product)

    add(3)
    client.get(url)  # warm-up (content types, session)
    few = count_queries(client, url)
    add(27)
    many = count_queries(client, url)
    assert few == many
    assert many <= 12


def test_findings_search_takes_a_raw_url_or_handle(officer, gi_right, client_for):
    make_sweep(officer, findings=[("https://shop.tiktok.com/view/product/42", gi_right)])
    make_sweep(officer, findings=[("https://shop.tiktok.com/view/product/43", None)])
    client = client_for(officer)
    found = client.get(
        FINDING_LIST, {"q": "http://www.shop.tiktok.com/view/product/42/?utm_source=a"}
    )
    assert found.context["cl"].result_count == 1
    assert b"/view/product/42" in found.content and b"/view/product/43" not in found.content
    by_handle = client.get(FINDING_LIST, {"q": "@RICECOPY"})
    assert by_handle.context["cl"].result_count == 2


def test_bulk_delete_refuses_sweeps_and_findings_that_produced_cases(
    officer, supervisor, gi_right, client_for
):
    sweep = make_sweep(officer, findings=[("https://shop.tiktok.com/view/product/51", gi_right)])
    spare = make_sweep(officer)
    run_action(client_for(officer), [sweep.findings.get()])
    client = client_for(supervisor)
    for url, pks in (
        (FINDING_LIST, [sweep.findings.get().pk]),
        (SWEEP_LIST, [sweep.pk, spare.pk]),
    ):
        response = client.post(
            url,
            {
                "action": "delete_selected",
                "_selected_action": [str(pk) for pk in pks],
                "post": "yes",
            },
        )
        # Django asks has_delete_permission(obj) of every object the delete would take:
        # a "cannot delete" page or a 403, never a deletion.
        assert response.status_code in (200, 403)
        if response.status_code == 200:
            assert response.context["perms_lacking"]
    assert MonitoringSweep.objects.count() == 2 and SweepFinding.objects.count() == 1
    response = client.post(
        SWEEP_LIST,
        {"action": "delete_selected", "_selected_action": [str(spare.pk)], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(MonitoringSweep.objects.all()) == [sweep]


def test_sweep_page_queries_do_not_grow_with_findings(officer, manager, gi_right, client_for):
    def page_queries(sweep, user):
        client = client_for(user)
        url = reverse("admin:takedowns_monitoringsweep_change", args=[sweep.pk])
        client.get(url)  # warm-up
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small = make_sweep(officer, findings=[("https://shop.tiktok.com/view/product/900", None)])
    big = make_sweep(
        officer,
        findings=[(f"https://shop.tiktok.com/view/product/{n}", None) for n in range(901, 921)],
    )
    finding = big.findings.order_by("pk").first()
    finding.right = gi_right
    finding.save()
    run_action(client_for(officer), [finding])
    assert big.findings.get(pk=finding.pk).history.first().history_user == officer
    for user in (officer, manager):
        assert page_queries(big, user) <= page_queries(small, user) + 2, user.username
