"""Admin imports of sellers, GI authorizations and promotion activities: keys, references, bad rows."""

from decimal import Decimal

import pytest

from gi_catalog.models import GIAuthorization, PromotionActivity, Seller
from tests.gi_catalog.conftest import admin_import, page_text, upload, valid_tax_id
from tests.gi_catalog.test_import_products import errors_of

pytestmark = pytest.mark.django_db

SELLER_HEADER = "tax_id,name,kind,province_code,tiktok_shop_handle\n"
AUTH_HEADER = "certificate_number,seller_tax_id,gi_product,valid_from,valid_until\n"
ACTIVITY_HEADER = "url,kind,title,held_on,seller_tax_id,gi_products,views,orders,gmv_thb\n"


def body(header, *rows):
    return (header + "".join(r + "\n" for r in rows)).encode()


def assert_refused(response, row, column, *words):
    """Refused, naming row and column; the reason holds one of ``words`` (English or Thai UI)."""
    assert response.context.get("confirm_form") is None
    errors = errors_of(response)
    assert any(r == row and c == column and any(w in m for w in words) for r, c, m in errors), (
        errors
    )
    assert any(w in page_text(response) for w in words)


# --- sellers -----------------------------------------------------------------------------------


def test_sellers_import_and_reimport_updates_by_tax_id(officer, client_for):
    client = client_for(officer)
    a, b = valid_tax_id(1), valid_tax_id(2, company=True)
    _, ok = admin_import(
        client,
        "seller",
        body(SELLER_HEADER, f"{a},ป้าแดง,producer,TH-57,padaeng", f"{b},บริษัท ข้าวดี จำกัด,company,,"),
    )
    assert ok.status_code == 302
    assert Seller.objects.count() == 2
    dashed = f"{a[0]}-{a[1:5]}-{a[5:10]}-{a[10:12]}-{a[12]}"
    _, ok = admin_import(
        client, "seller", body(SELLER_HEADER, f"{dashed},ป้าแดง ใจดี,producer,TH-57,padaeng")
    )
    assert ok.status_code == 302
    assert Seller.objects.count() == 2
    assert Seller.objects.get(tax_id=a).name == "ป้าแดง ใจดี"


def test_bad_checksum_is_refused_with_row_column_and_reason(officer, client_for):
    good = valid_tax_id(1)
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    response = upload(
        client_for(officer),
        "seller",
        body(SELLER_HEADER, f"{good},ป้าแดง,producer,TH-57,", f"{bad},ลุงดำ,producer,TH-57,"),
    )
    assert_refused(response, 3, "tax_id", "check digit", "เลขตรวจสอบ")
    assert not Seller.objects.exists()


def test_tax_id_repeated_in_one_file(officer, client_for):
    a = valid_tax_id(1)
    response = upload(
        client_for(officer),
        "seller",
        body(SELLER_HEADER, f"{a},ป้าแดง,producer,TH-57,", f"{a},ป้าแดงซ้ำ,producer,TH-57,"),
    )
    assert_refused(response, 3, "tax_id", "2")
    assert not Seller.objects.exists()


def test_unknown_province_and_kind(officer, client_for):
    response = upload(
        client_for(officer), "seller", body(SELLER_HEADER, f"{valid_tax_id(1)},ป้าแดง,farmer,TH-00,")
    )
    errors = errors_of(response)
    assert {c for r, c, m in errors if r == 2} >= {"province_code", "kind"}
    assert not Seller.objects.exists()


def test_missing_column_in_seller_file(officer, client_for):
    response = upload(client_for(officer), "seller", b"tax_id,name\n1234567890121,x\n")
    assert any("kind" in m for _, _, m in errors_of(response))
    assert not Seller.objects.exists()


# --- authorizations ----------------------------------------------------------------------------


def test_authorizations_import_by_gi_name_or_number(officer, client_for, seller, coffee):
    _, ok = admin_import(
        client_for(officer),
        "giauthorization",
        body(
            AUTH_HEADER,
            f"A-1,{seller.tax_id},กาแฟดอยตุง,2025-01-01,2027-12-31",
            f"A-2,{seller.tax_id},สช 49100002,2025-02-01,",
            f"A-3,{seller.tax_id},kafae doi tung,2025-03-01,",
        ),
    )
    assert ok.status_code == 302
    assert set(GIAuthorization.objects.values_list("product", flat=True)) == {coffee.pk}


def test_unknown_gi_in_an_authorization_row(officer, client_for, seller, coffee):
    response = upload(
        client_for(officer),
        "giauthorization",
        body(
            AUTH_HEADER,
            f"A-1,{seller.tax_id},กาแฟดอยตุง,2025-01-01,",
            f"A-2,{seller.tax_id},ทุเรียนนนท์,2025-01-01,",
        ),
    )
    assert_refused(response, 3, "gi_product", "ทุเรียนนนท์")
    assert not GIAuthorization.objects.exists()


def test_unknown_seller_and_dates_in_the_wrong_order(officer, client_for, seller, coffee):
    response = upload(
        client_for(officer),
        "giauthorization",
        body(
            AUTH_HEADER,
            f"A-1,{valid_tax_id(99)},กาแฟดอยตุง,2025-01-01,",
            f"A-2,{seller.tax_id},กาแฟดอยตุง,2025-01-01,2024-01-01",
        ),
    )
    errors = errors_of(response)
    assert any(r == 2 and c == "seller_tax_id" for r, c, _ in errors), errors
    assert any(r == 3 and ("cannot end before" in m or "วันสิ้นสุด" in m) for r, _, m in errors), errors
    assert not GIAuthorization.objects.exists()


# --- promotion activities ----------------------------------------------------------------------


def test_activities_import_and_reimport_updates_by_url(officer, client_for, seller, coffee):
    client = client_for(officer)
    url = "https://www.tiktok.com/@doitung_coffee/live?session=9"
    row = f"{url},live,LIVE กาแฟ,2026-10-05,{seller.tax_id},กาแฟดอยตุง,1500,40,14000.50"
    _, ok = admin_import(client, "promotionactivity", body(ACTIVITY_HEADER, row))
    assert ok.status_code == 302
    _, ok = admin_import(
        client, "promotionactivity", body(ACTIVITY_HEADER, row.replace("1500,40", "1800,41"))
    )
    assert ok.status_code == 302
    activity = PromotionActivity.objects.get()
    assert (activity.views, activity.orders, activity.gmv_thb) == (1800, 41, Decimal("14000.50"))
    assert list(activity.products.all()) == [coffee]


@pytest.mark.parametrize(
    "cells, column, words",
    [
        ("1500,40,abc", "gmv_thb", "abc"),
        ("1500,4x,100", "orders", "4x"),
        ("1500,40,-5", "gmv_thb", "0"),
    ],
)
def test_bad_numbers_in_activities(officer, client_for, seller, coffee, cells, column, words):
    rows = [
        f"https://www.tiktok.com/@a/video/1,short_clip,คลิป,2026-10-05,{seller.tax_id},กาแฟดอยตุง,10,1,100",
        f"https://www.tiktok.com/@a/video/2,short_clip,คลิป,2026-10-05,{seller.tax_id},กาแฟดอยตุง,{cells}",
    ]
    response = upload(client_for(officer), "promotionactivity", body(ACTIVITY_HEADER, *rows))
    assert_refused(response, 3, column, words)
    assert not PromotionActivity.objects.exists()


def test_unknown_gi_in_activity_products(officer, client_for, seller, coffee):
    row = f"https://www.tiktok.com/@a/video/1,short_clip,คลิป,2026-10-05,{seller.tax_id},กาแฟดอยตุง;ข้าวไม่มี,10,1,100"
    response = upload(client_for(officer), "promotionactivity", body(ACTIVITY_HEADER, row))
    assert_refused(response, 2, "gi_products", "ข้าวไม่มี")
    assert not PromotionActivity.objects.exists()


def test_a_shop_handle_another_seller_has_is_refused_in_one_query_for_all_rows(
    officer, client_for, make_seller, django_assert_max_num_queries
):
    """A conditional unique constraint (a handle, when there is one) is checked for the whole
    file at once, with the file's own rows: the database never has to refuse the file."""
    make_seller(tiktok_shop_handle="taken_shop")
    rows = [f"{valid_tax_id(100 + n)},ผู้ขาย {n},producer,TH-57,shop_{n}" for n in range(60)]
    rows[10] = f"{valid_tax_id(110)},ผู้ขาย 10,producer,TH-57,taken_shop"
    rows[40] = f"{valid_tax_id(140)},ผู้ขาย 40,producer,TH-57,shop_39"  # row 41 has it too
    client = client_for(officer)
    with django_assert_max_num_queries(40):  # 60 rows; a row by row check made 4 queries each
        response = upload(client, "seller", body(SELLER_HEADER, *rows))
    errors = errors_of(response)
    message = "Another seller already has this TikTok Shop handle."
    thai = "มีผู้ขายรายอื่นใช้ชื่อบัญชี TikTok Shop นี้แล้ว"
    assert {(row, text in (message, thai)) for row, _column, text in errors} == {
        (12, True),
        (42, True),
    }
    assert Seller.objects.count() == 1


def test_after_a_bad_row_the_shop_handles_of_the_next_rows_are_checked_too(
    officer, client_for, make_seller, django_assert_max_num_queries
):
    make_seller(tiktok_shop_handle="taken_shop")
    good, bad = valid_tax_id(200), valid_tax_id(201)
    bad = bad[:-1] + str((int(bad[-1]) + 1) % 10)
    rows = [f"{bad},ผู้ขาย,producer,TH-57,shop_a"]
    rows += [f"{valid_tax_id(300 + n)},ผู้ขาย {n},producer,TH-57,shop_{n}" for n in range(60)]
    rows.append(f"{good},ผู้ขาย,producer,TH-57,taken_shop")
    with django_assert_max_num_queries(40):
        response = upload(client_for(officer), "seller", body(SELLER_HEADER, *rows))
    assert {row for row, _column, _text in errors_of(response)} == {2, 63}
    assert Seller.objects.count() == 1
