import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from takedowns.models import InfringingItem, PlatformSeller

from .conftest import make_case

pytestmark = pytest.mark.django_db


def add_item(case, handle, n):
    InfringingItem.objects.create(
        case=case, kind="shop", url=f"https://www.tiktok.com/@{handle}/{n}", seller_handle=handle
    )


def test_repeat_filter_finds_handles_in_three_or_more_cases_in_one_query(
    officer, right, client_for
):
    repeat_cases = [make_case(right, items=0) for _ in range(3)]
    for n, case in enumerate(repeat_cases):
        add_item(case, "@Repeat.Seller", n)
    twice = [make_case(right, items=0) for _ in range(2)]
    for n, case in enumerate(twice):
        add_item(case, "twice_seller", n)
    assert PlatformSeller.objects.get(handle="repeat.seller").case_count == 3

    client = client_for(officer)
    url = reverse("admin:takedowns_takedowncase_changelist") + "?repeat=yes"
    page = client.get(url).content.decode()
    assert all(case.reference in page for case in repeat_cases)
    assert not any(case.reference in page for case in twice)
    assert "@repeat.seller (3)" in page

    items_url = reverse("admin:takedowns_infringingitem_changelist") + "?repeat=yes"
    with CaptureQueriesContext(connection) as captured:
        items_page = client.get(items_url).content.decode()
    assert items_page.count("repeat.seller") >= 3 and "twice_seller" not in items_page
    filtering = [q["sql"] for q in captured if "case_count" in q["sql"]]
    assert len(filtering) <= 2  # the page query (and its capped count), no per-row query


def test_counts_follow_edits_and_deletes(right):
    case = make_case(right, items=0)
    add_item(case, "a_shop", 1)
    item = case.items.get()
    item.seller_handle = "b_shop"
    item.save()
    assert PlatformSeller.objects.get(handle="a_shop").case_count == 0
    assert PlatformSeller.objects.get(handle="b_shop").case_count == 1
    case.delete()
    assert PlatformSeller.objects.get(handle="b_shop").case_count == 0


def test_bulk_loaded_items_are_counted_by_the_refresh(right):
    from takedowns import infringers

    cases = [make_case(right, items=0) for _ in range(4)]
    InfringingItem.objects.bulk_create(
        InfringingItem(
            case=case,
            kind="listing",
            url=f"https://shop.tiktok.com/p/{n}",
            normalized_url=f"https://shop.tiktok.com/p/{n}",
            seller_handle="bulk_shop",
        )
        for n, case in enumerate(cases)
    )
    infringers.seller_counts_refresh()
    seller = PlatformSeller.objects.get(handle="bulk_shop")
    assert seller.case_count == 4
    assert InfringingItem.objects.filter(seller=seller).count() == 4


def test_admin_search_by_reference_url_fragment_and_handle(officer, right, client_for):
    target = make_case(right, items=0, title="กาแฟดอยช้างปลอม")
    add_item(target, "@DoiChang_Fake88", 424242)
    other = make_case(right)
    client = client_for(officer)
    cases = reverse("admin:takedowns_takedowncase_changelist")
    for term in (
        target.reference,
        "doichang_fake88/424242",
        "@DoiChang_Fake88",
        "fake8",
        "ดอยช้าง",
    ):
        page = client.get(cases, {"q": term}).content.decode()
        assert target.reference in page, term
        assert other.reference not in page, term
    items = reverse("admin:takedowns_infringingitem_changelist")
    page = client.get(items, {"q": "fake88/4242"}).content.decode()
    assert "doichang_fake88/424242" in page and other.items.get().normalized_url not in page


def test_a_handle_found_in_more_items_than_the_search_takes_lists_the_newest_cases(
    officer, right, client_for, monkeypatch
):
    from takedowns import admin as takedowns_admin

    monkeypatch.setattr(takedowns_admin, "SEARCH_CASES_LIMIT", 2)
    oldest, older, newer, newest = (make_case(right, items=0) for _ in range(4))
    for number, case in enumerate((oldest, older, newer, newest)):
        add_item(case, f"@common_store_{number}", 7000 + number)
    page = client_for(officer).get(
        reverse("admin:takedowns_takedowncase_changelist"), {"q": "common_store"}
    )
    shown = page.content.decode()
    assert newest.reference in shown and newer.reference in shown
    assert oldest.reference not in shown and older.reference not in shown
