import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from takedowns.choices import CaseState
from takedowns.models import InfringingItem, StatusEvent, TakedownCase
from takedowns.resources import InfringingItemResource, TakedownCaseResource

from .conftest import make_case, walk

S = CaseState
pytestmark = pytest.mark.django_db
FORMAT_INDEX = {"csv": "0", "xlsx": "1"}

CASE_HEADER = (
    "reference,title,description,rights_holder,right_registration_number,infringement_type,"
    "priority,reporter_name,reporter_email,reporter_phone,reporter_basis,"
    "authorization_valid_from,authorization_valid_until\n"
)


def admin_import(client, model, content, name="data.csv", fmt="csv"):
    response = client.post(
        reverse(f"admin:takedowns_{model}_import"),
        {"import_file": SimpleUploadedFile(name, content), "format": FORMAT_INDEX[fmt]},
    )
    confirm_form = response.context.get("confirm_form") if response.context else None
    if confirm_form is None:
        return response, None
    confirmed = client.post(
        reverse(f"admin:takedowns_{model}_process_import"), confirm_form.initial
    )
    return response, confirmed


def export(client, model, resource_class, fmt="csv"):
    prefix = resource_class.__name__.lower()
    data = {"format": FORMAT_INDEX[fmt], "resource": "0"}
    for field in resource_class().get_export_order():
        data[f"{prefix}_{field}"] = "on"
    return client.post(reverse(f"admin:takedowns_{model}_export"), data)


def body(response):
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode("utf-8-sig")


def test_cases_import_creates_drafts_then_updates_idempotently(officer, right, client_for):
    client = client_for(officer)
    holder = right.owner.name
    csv = (
        CASE_HEADER
        + f",ข้าวปลอม 1,,{holder},{right.registration_number},counterfeit,high,สมชาย,s@dip.go.th,,owner,,\r\n"
        + f",ข้าวปลอม 2,,{holder},{right.registration_number},gi_misuse,normal,สมชาย,s@dip.go.th,,owner,,\r\n"
    ).encode("utf-8-sig")
    dry, confirmed = admin_import(client, "takedowncase", csv)
    assert confirmed is not None and confirmed.status_code == 302, body(dry)
    cases = TakedownCase.objects.order_by("reference")
    assert [c.title for c in cases] == ["ข้าวปลอม 1", "ข้าวปลอม 2"]
    assert all(c.state == S.DRAFT and c.reference.startswith("TD-") for c in cases)
    assert StatusEvent.objects.filter(to_state=S.DRAFT).count() == 2

    # Re-import of the exported file: same cases, updated, never duplicated.
    exported = body(export(client, "takedowncase", TakedownCaseResource))
    changed = exported.replace("ข้าวปลอม 1", "ข้าวปลอม หนึ่ง")
    dry, confirmed = admin_import(client, "takedowncase", changed.encode())
    assert confirmed is not None and confirmed.status_code == 302, body(dry)
    assert TakedownCase.objects.count() == 2
    assert TakedownCase.objects.filter(title="ข้าวปลอม หนึ่ง").exists()


def test_a_bad_row_refuses_the_whole_file_with_row_and_column(officer, right, client_for):
    client = client_for(officer)
    holder = right.owner.name
    csv = (
        CASE_HEADER
        + f",ok,,{holder},{right.registration_number},counterfeit,high,สมชาย,s@dip.go.th,,owner,,\n"
        + f",bad,,{holder},{right.registration_number},nonsense,high,สมชาย,not-an-email,,owner,,\n"
        + f"TD-1999-000001,ghost,,{holder},{right.registration_number},counterfeit,high,a,a@b.th,,owner,,\n"
    ).encode()
    dry, confirmed = admin_import(client, "takedowncase", csv)
    assert confirmed is None
    text = body(dry)
    assert "infringement_type" in text and "reporter_email" in text
    assert "TD-1999-000001" in text
    assert TakedownCase.objects.count() == 0


def test_forwarded_case_cannot_be_changed_by_import(officer, role_users, right, client_for):
    case = walk(make_case(right), S.FORWARDED, role_users)
    client = client_for(officer)
    csv = (
        CASE_HEADER
        + f"{case.reference},changed,,{right.owner.name},{right.registration_number},counterfeit,high,a,a@b.th,,owner,,\n"
    ).encode()
    dry, confirmed = admin_import(client, "takedowncase", csv)
    assert confirmed is None
    assert case.reference in body(dry) and "แก้ไขด้วยการนำเข้าไม่ได้" in body(dry)
    case.refresh_from_db()
    assert case.title != "changed"


def test_items_import_is_idempotent_on_normalised_url_and_refuses_duplicates(
    officer, role_users, right, client_for
):
    case = make_case(right, items=0)
    other = make_case(right)
    client = client_for(officer)
    header = "case_reference,kind,url,seller_handle,shop_id,title,price_thb\n"
    csv = (
        header
        + f"{case.reference},listing,HTTPS://WWW.shop.tiktok.com/view/product/1?utm_source=a,@Seller1,,x,99.50\n"
        + f"{case.reference},video,https://www.tiktok.com/@seller1/video/2/,@Seller1,,,\n"
    ).encode()
    dry, confirmed = admin_import(client, "infringingitem", csv)
    assert confirmed is not None, body(dry)
    assert case.items.count() == 2
    dry, confirmed = admin_import(client, "infringingitem", csv)  # again: nothing new
    assert confirmed is not None, body(dry)
    assert case.items.count() == 2

    duplicate = (
        header
        + f"{case.reference},listing,https://shop.tiktok.com/view/product/77,,,,\n"
        + f"{case.reference},listing,{other.items.get().url},,,,\n"
    ).encode()
    dry, confirmed = admin_import(client, "infringingitem", duplicate)
    assert confirmed is None
    assert other.reference in body(dry)
    assert case.items.count() == 2

    in_file = (
        header
        + f"{case.reference},listing,https://shop.tiktok.com/view/product/88,,,,\n"
        + f"{case.reference},listing,http://shop.tiktok.com/view/product/88/?fbclid=1,,,,\n"
    ).encode()
    dry, confirmed = admin_import(client, "infringingitem", in_file)
    assert confirmed is None  # row 2 repeats row 1 once both are normalised
    assert not InfringingItem.objects.filter(normalized_url__endswith="/88").exists()


def test_exports_escape_formulas_in_csv_and_xlsx(officer, right, client_for):
    make_case(right, title='=HYPERLINK("http://evil")')
    client = client_for(officer)
    csv = body(export(client, "takedowncase", TakedownCaseResource))
    assert "'=HYPERLINK" in csv
    response = export(client, "takedowncase", TakedownCaseResource, fmt="xlsx")
    content = (
        b"".join(response.streaming_content)
        if hasattr(response, "streaming_content")
        else response.content
    )
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    titles = [cell.value for cell in next(sheet.iter_cols(min_col=3, max_col=3))]
    assert any(str(v).startswith("'=HYPERLINK") for v in titles)


def test_liaison_and_manager_cannot_import_and_liaison_cannot_export(
    liaison, manager, right, client_for
):
    client = client_for(liaison)
    assert client.get(reverse("admin:takedowns_takedowncase_import")).status_code == 403
    assert client.get(reverse("admin:takedowns_takedowncase_export")).status_code == 403
    client = client_for(manager)
    assert client.get(reverse("admin:takedowns_takedowncase_import")).status_code == 403
    assert InfringingItem.objects.count() == 0
    _ = InfringingItemResource


@pytest.mark.parametrize("count", [5, 30])
def test_items_of_a_file_are_found_with_one_query_per_chunk(officer, right, client_for, count):
    """An exported item list sent back: each row's item (by URL, in the row's case first) is
    looked up for the whole chunk at once, not once per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_case(right, items=count)
    client = client_for(officer)
    exported = body(export(client, "infringingitem", InfringingItemResource)).encode()
    with CaptureQueriesContext(connection) as queries:
        dry, confirmed = admin_import(client, "infringingitem", exported)
    assert confirmed is not None, body(dry)
    assert dry.context["result"].totals["skip"] == count
    lookups = [
        q["sql"]
        for q in queries
        if 'FROM "takedowns_infringingitem"' in q["sql"] and '"normalized_url"' in q["sql"]
    ]
    assert len(lookups) == 2, [q[-120:] for q in lookups]  # the preview's, the confirmation's


@pytest.mark.parametrize("count", [3, 12])
def test_cases_of_an_update_file_are_looked_up_once_per_chunk(officer, right, client_for, count):
    """An exported case list sent back with one title changed: the chunk's references are read
    by one query, which both checks them and gives the cases (it was two); the changed case is
    updated, the others skipped."""
    for _ in range(count):
        make_case(right, items=0)
    client = client_for(officer)
    exported = body(export(client, "takedowncase", TakedownCaseResource))
    first = TakedownCase.objects.order_by("reference").first()
    changed = exported.replace(
        f"{first.reference},draft,ข้าวหอมมะลิปลอม", f"{first.reference},draft,แก้แล้ว"
    )
    assert changed != exported
    with CaptureQueriesContext(connection) as queries:
        dry, confirmed = admin_import(client, "takedowncase", changed.encode())
    assert confirmed is not None and confirmed.status_code == 302, body(dry)
    assert dry.context["result"].totals["update"] == 1
    assert dry.context["result"].totals["skip"] == count - 1
    unchanged = TakedownCase.objects.order_by("reference").last().reference
    lookups = [q["sql"] for q in queries if unchanged in q["sql"]]
    assert len(lookups) == 2, lookups  # the preview's, the confirmation's
    assert TakedownCase.objects.get(pk=first.pk).title == "แก้แล้ว"


def test_an_unknown_reference_among_known_ones_is_a_row_error(officer, right, client_for):
    """The references checked from the chunk's one lookup: a case of the file is found, a
    reference no case has is refused with its row."""
    case = make_case(right, items=0)
    holder, number = right.owner.name, right.registration_number
    csv = (
        CASE_HEADER
        + f"{case.reference},ok,,{holder},{number},counterfeit,high,a,a@b.th,,owner,,\n"
        + f"TD-1999-000009,ghost,,{holder},{number},counterfeit,high,a,a@b.th,,owner,,\n"
    ).encode()
    dry, confirmed = admin_import(client_for(officer), "takedowncase", csv)
    assert confirmed is None
    errors = [(e.number, e.error) for e in dry.context["result"].invalid_rows]
    assert len(errors) == 1 and errors[0][0] == 3, errors
    assert "TD-1999-000009" in str(errors[0][1])
    assert TakedownCase.objects.get(pk=case.pk).title == "ข้าวหอมมะลิปลอม"


def test_a_url_on_two_rows_gets_its_own_copy_of_the_item_for_each(right):
    case = make_case(right, items=1)
    item = case.items.get()
    row = {"case_reference": case.reference, "url": item.normalized_url}
    first, second, new = InfringingItemResource().get_instances([row, dict(row), {"url": "x"}])
    assert first.pk == second.pk == item.pk and first is not second and new is None


def test_a_blank_cell_of_a_column_with_a_default_gives_the_default(officer, right, client_for):
    """Priority and the reporter's basis have defaults: a blank cell takes them, a written one
    is kept, on every row (the import reads these columns without the library's Field.clean)."""
    holder, number = right.owner.name, right.registration_number
    csv = (
        CASE_HEADER
        + f",ปลอม 1,,{holder},{number},counterfeit,,สมชาย,s@dip.go.th,,,,\r\n"
        + f",ปลอม 2,,{holder},{number},counterfeit,high,สมชาย,s@dip.go.th,,dip_monitoring,,\r\n"
        + f",ปลอม 3,,{holder},{number},counterfeit,,สมชาย,s@dip.go.th,,,,\r\n"
    ).encode("utf-8-sig")
    _preview, confirmed = admin_import(client_for(officer), "takedowncase", csv)
    assert confirmed is not None and confirmed.status_code == 302
    cases = TakedownCase.objects.order_by("title").values_list(
        "title", "priority", "reporter_basis"
    )
    assert list(cases) == [
        ("ปลอม 1", "normal", "owner"),
        ("ปลอม 2", "high", "dip_monitoring"),
        ("ปลอม 3", "normal", "owner"),
    ]


def test_a_foreign_key_set_from_a_loaded_row_is_set_as_setattr_sets_it(right, monkeypatch):
    """The case Resource sets a row's rights holder and right without the router's per-row
    checks: the instance ends as ``setattr`` leaves it (the key, the loaded row, the database),
    and anything else (an unsaved row, a wrong type) takes ``setattr``'s own path and message."""
    from portal.importing import _loaded_row_setter
    from takedowns.models import RightsHolder

    resource = TakedownCaseResource()
    set_holder = _loaded_row_setter(TakedownCase, resource.fields["rights_holder"])
    holder = RightsHolder.objects.get(pk=right.owner_id)
    fast, plain = TakedownCase(), TakedownCase()
    assert set_holder(fast, holder) is True
    plain.rights_holder = holder
    assert fast.rights_holder_id == plain.rights_holder_id == holder.pk
    assert fast._state.db == plain._state.db == "default"
    with CaptureQueriesContext(connection) as queries:
        assert fast.rights_holder is holder
    assert len(queries) == 0
    unsaved = RightsHolder(name="ยังไม่บันทึก")
    assert set_holder(fast, unsaved) is False and set_holder(fast, right) is False
    assert fast.rights_holder is holder  # left to the caller
    assert _loaded_row_setter(TakedownCase, resource.fields["title"]) is None

    # through the Resource's own cells: the widget's value, whatever it is, is set as Django sets it
    cells = iter([holder, unsaved, right])
    widget = resource.fields["rights_holder"].widget
    monkeypatch.setattr(widget, "clean", lambda value, row=None, **kwargs: next(cells))
    case, row = TakedownCase(), {"rights_holder": "ผู้ทรงสิทธิ"}
    resource._import_fields(case, row)
    assert case.rights_holder is holder and case.rights_holder_id == holder.pk
    resource._import_fields(case, row)  # Django's own path: allowed, the key left empty
    assert case.rights_holder is unsaved and case.rights_holder_id is None
    with pytest.raises(ValidationError) as refused:
        resource._import_fields(case, row)  # a right is no rights holder: Django's message
    assert "must be a" in str(refused.value.message_dict["rights_holder"])
