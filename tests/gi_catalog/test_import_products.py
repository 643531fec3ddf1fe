"""Importing the GI list through the admin, and the load_gi_register command that shares its Resource."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from gi_catalog.choices import DatePrecision
from gi_catalog.models import GIProduct
from tests.gi_catalog.conftest import admin_import, page_text, upload

pytestmark = pytest.mark.django_db

REGISTER = Path(__file__).resolve().parents[2] / "gi_catalog" / "data" / "thai_gi.csv"
HEADER = "registration_number,name_th,name_en,category,province_codes,province_names_en,origin,registered_on,source_url\n"


def errors_of(response) -> list[tuple]:
    """(row, column, message) of every problem the import page reports."""
    found = []
    form = response.context.get("form")
    if form is not None:
        found += [(None, field, m) for field, messages in form.errors.items() for m in messages]
    result = response.context.get("result")
    if result is not None:
        found += [(None, None, str(e.error)) for e in result.base_errors]
        for number, errors in result.row_errors():
            found += [(number, None, str(e.error)) for e in errors]
        for row in result.invalid_rows:
            found += [(row.number, c, m) for c, ms in row.error_dict.items() for m in ms]
    return found


def csv(*rows: str) -> bytes:
    return (HEADER + "".join(row + "\n" for row in rows)).encode()


def test_officer_imports_the_whole_register_and_again_without_duplicates(officer, client_for):
    client = client_for(officer)
    dry, confirmed = admin_import(client, "giproduct", REGISTER.read_bytes(), "thai_gi.csv")
    assert confirmed is not None, errors_of(dry)
    assert confirmed.status_code == 302
    assert GIProduct.objects.count() == 187
    rice = GIProduct.objects.get(name_en="Thung Kula Rong Hai Hom Mali rice")
    assert sorted(rice.provinces.values_list("code", flat=True)) == sorted(
        ["TH-45", "TH-32", "TH-33", "TH-44", "TH-35"]
    )
    assert "thairiceforlife.com" in rice.source_url
    doi_tung = GIProduct.objects.get(name_en="Kafae Doi Tung")
    assert doi_tung.registered_on_precision == DatePrecision.YEAR
    assert GIProduct.objects.filter(registration_number="").count() == 180

    record = rice.history.first()
    assert record.history_user == officer
    assert "thai_gi.csv" in record.history_change_reason

    _, again = admin_import(client, "giproduct", REGISTER.read_bytes(), "thai_gi.csv")
    assert again.status_code == 302
    assert GIProduct.objects.count() == 187


def test_load_command_uses_the_same_rules_and_is_idempotent(officer):
    call_command("load_gi_register", verbosity=0)
    call_command("load_gi_register", verbosity=0)
    assert GIProduct.objects.count() == 187
    product = GIProduct.objects.exclude(name_th="").first()
    assert "not DIP's official register" in product.data_source
    assert GIProduct.objects.filter(origin__startswith="foreign:").count() == 12
    assert "thai_gi.csv" in product.history.first().history_change_reason


def test_reload_keeps_a_registration_number_an_official_filled_in():
    call_command("load_gi_register", verbosity=0)
    product = GIProduct.objects.get(name_en="Kafae Doi Tung")
    product.registration_number = "สช 49100002"
    product.save()
    call_command("load_gi_register", verbosity=0)
    assert GIProduct.objects.count() == 187
    product.refresh_from_db()
    assert product.registration_number == "สช 49100002"


def test_load_command_refuses_a_bad_file_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv(
            ",ข้าวหนึ่ง,Rice one,agricultural,TH-57,,thai,2020,",
            ",ข้าวสอง,Rice two,agricultural,TH-99,,thai,,",
        )
    )
    with pytest.raises(CommandError, match="row 3, province_codes"):
        call_command("load_gi_register", file=bad, verbosity=0)
    assert not GIProduct.objects.exists()


def test_bom_and_crlf_are_read(officer, client_for):
    content = csv(",ข้าวหอม,Hom rice,agricultural,TH-57;TH-50,,thai,2020-05,https://example.org/a")
    content = b"\xef\xbb\xbf" + content.replace(b"\n", b"\r\n")
    _, confirmed = admin_import(client_for(officer), "giproduct", content)
    assert confirmed.status_code == 302
    product = GIProduct.objects.get()
    assert (product.name_th, product.registered_on_precision) == ("ข้าวหอม", DatePrecision.MONTH)
    assert product.provinces.count() == 2


def test_thai_excel_cp874_is_read(officer, client_for):
    content = csv(",ผ้าไหมแพรวา,,textile,TH-46,,thai,,").decode().encode("cp874")
    _, confirmed = admin_import(client_for(officer), "giproduct", content)
    assert confirmed.status_code == 302
    assert GIProduct.objects.get().name_th == "ผ้าไหมแพรวา"


def test_another_encoding_is_refused_with_advice(officer, client_for):
    content = csv(",,Café de Paris,beverage,,,foreign:FR,,").decode().encode("latin-1")
    response = upload(client_for(officer), "giproduct", content)
    assert response.context.get("confirm_form") is None
    assert any("CSV UTF-8" in message for _, _, message in errors_of(response))
    assert not GIProduct.objects.exists()


def test_missing_column_is_named(officer, client_for):
    content = "name_th,name_en,category\nข้าว,Rice,agricultural\n".encode()
    response = upload(client_for(officer), "giproduct", content)
    assert response.context.get("confirm_form") is None
    messages = " ".join(m for _, _, m in errors_of(response))
    assert "province_codes" in messages and "registration_number" in messages
    assert not GIProduct.objects.exists()


@pytest.mark.parametrize("content", [b"", HEADER.encode()])
def test_empty_file_is_refused(officer, client_for, content):
    response = upload(client_for(officer), "giproduct", content)
    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert errors_of(response)
    assert not GIProduct.objects.exists()


def test_key_repeated_inside_one_file_is_named_and_nothing_written(officer, client_for):
    content = csv(
        ",ข้าวหนึ่ง,Rice one,agricultural,TH-57,,thai,,",
        ",ข้าวสอง,Rice two,agricultural,TH-57,,thai,,",
        ",ข้าวหนึ่งซ้ำ,rice ONE,agricultural,TH-57,,thai,,",
    )
    response = upload(client_for(officer), "giproduct", content)
    assert response.context.get("confirm_form") is None
    assert any(
        row == 4 and "row 2" in message.lower() or "แถว" in message
        for row, _, message in errors_of(response)
    )
    assert not GIProduct.objects.exists()


@pytest.mark.parametrize(
    "bad_row, column, words",
    [
        (",ข้าว,Rice,agricultural,TH-99,,thai,,", "province_codes", "TH-99"),
        (",ข้าว,Rice,vegetable,TH-57,,thai,,", "category", "vegetable"),
        (",ข้าว,Rice,agricultural,TH-57,,thai,2020-13-01,", "registered_on", "2020-13-01"),
        (",ข้าว,Rice,agricultural,TH-57,,french,,", "origin", "foreign:"),
        (",,,agricultural,TH-57,,thai,,", "__all__", ""),
    ],
)
def test_bad_row_names_row_and_column_and_nothing_is_written(
    officer, client_for, bad_row, column, words
):
    content = csv(",ข้าวดี,Good rice,agricultural,TH-57,,thai,,", bad_row)
    response = upload(client_for(officer), "giproduct", content)
    assert response.context.get("confirm_form") is None
    errors = errors_of(response)
    assert any(row == 3 and col == column and words in message for row, col, message in errors), (
        errors
    )
    assert words in page_text(response)
    assert not GIProduct.objects.exists()


def test_registration_number_is_the_key_when_present(officer, client_for):
    client = client_for(officer)
    admin_import(client, "giproduct", csv("สช 1,ข้าว,Rice,agricultural,TH-57,,thai,,"))
    admin_import(client, "giproduct", csv("สช 1,ข้าวใหม่,New rice,agricultural,TH-57,,thai,,"))
    assert list(GIProduct.objects.values_list("registration_number", "name_th")) == [
        ("สช 1", "ข้าวใหม่")
    ]


def test_xlsx_import(officer, client_for):
    import tablib

    dataset = tablib.Dataset(headers=HEADER.strip().split(","))
    dataset.append(
        ["", "ลำไยอบแห้งสีทอง", "Golden dried longan", "food", "TH-51", "", "thai", "2022", ""]
    )
    _, confirmed = admin_import(
        client_for(officer), "giproduct", dataset.export("xlsx"), "gi.xlsx", fmt="xlsx"
    )
    assert confirmed.status_code == 302
    assert GIProduct.objects.get().registered_on.year == 2022


def test_a_row_is_found_by_the_same_rule_alone_or_in_a_chunk(db, coffee):
    """``get_instance`` (the library's door) and ``get_instances`` (the engine's) find a row's
    product alike: by registration number, else by English name in any case or Thai name with
    the same provinces."""
    from gi_catalog.resources import GIProductResource

    resource = GIProductResource()
    rows = [
        {"registration_number": coffee.registration_number},
        {"name_en": "KAFAE DOI TUNG", "province_codes": "TH-57"},
        {"name_th": "กาแฟดอยตุง", "province_codes": "TH-57"},
        {"name_en": "Kafae Doi Tung", "province_codes": "TH-50"},
        {"registration_number": "สช 00000000", "name_th": "กาแฟดอยตุง", "province_codes": "TH-57"},
    ]
    expected = [coffee, coffee, coffee, None, None]
    assert [resource.get_instance(None, row) for row in rows] == expected
    assert resource.get_instances(rows) == expected
