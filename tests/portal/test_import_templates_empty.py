"""Issue 23: the import template of a user who can see no object of the model yet (a fresh
database, an officer with no cases) is not an empty sheet: its first sheet has the columns (to
fill in) and a second sheet, marked as an example the import does not read, shows a made-up row.

The template as downloaded has nothing to import (the import page says so, nothing is written); its
example row, once
copied to the first sheet, is read without a format error (only the records it names, which a
fresh database does not have, are missing) and, where it names no other record, imports cleanly.
"""

import io

import openpyxl
import pytest
from django.test import RequestFactory
from django.urls import reverse
from import_export import widgets

from portal.importing import headers_for_people
from tests.portal.test_one_engine import importable_admins, post_file

pytestmark = pytest.mark.django_db

EXAMPLE_SHEET = "ตัวอย่าง (ไม่นำเข้า)"


def _may_import(model_admin, user) -> bool:
    request = RequestFactory().get("/")
    request.user = user
    return model_admin.has_import_permission(request)


def _importer(model_admin, users):
    return next(user for user in users if _may_import(model_admin, user))


def _template(client, model_admin):
    opts = model_admin.model._meta
    response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_import_template"))
    assert response.status_code == 200, model_admin
    return openpyxl.load_workbook(io.BytesIO(response.content)), response.content


def _as_file(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _lookup_columns(resource) -> set:
    """Columns naming another record (a fresh database has none of them): looked up by their
    widget, or a read-only link such as a target's workstream (set where the record is made)."""
    return {
        field.column_name
        for field in resource.fields.values()
        if isinstance(field.widget, widgets.ForeignKeyWidget | widgets.ManyToManyWidget)
        or "__" in (field.attribute or "")
    }


def test_every_template_on_an_empty_database_shows_a_made_up_example_the_import_ignores(
    officer, supervisor, manager, client_for
):
    users = (officer, supervisor, manager)
    admins = [a for a in importable_admins() if any(_may_import(a, u) for u in users)]
    assert len(admins) >= 13
    for model_admin in admins:
        model = model_admin.model
        name = model.__name__
        assert not model._default_manager.exists(), name
        client = client_for(_importer(model_admin, users))
        resource = model_admin.resource_classes[0]()
        book, content = _template(client, model_admin)

        assert [sheet.title for sheet in book.worksheets][1:] == [EXAMPLE_SHEET], name
        fill_in, example_sheet = book.worksheets
        header = [cell.value for cell in fill_in[1]]
        assert list(fill_in.values) == [tuple(header)], name  # the columns, nothing to import
        rows = list(example_sheet.values)
        assert len(rows) == 2 and list(rows[0]) == header, (name, rows)
        columns = resource.column_names_of(header)
        assert set(resource.template_example) <= set(columns), name  # no misspelt column
        example = dict(zip(columns, rows[1], strict=True))
        for field in resource.get_import_fields():
            model_field = resource.model_field_of(field.column_name)
            required = model_field is not None and not model_field.blank
            if field.readonly or not required or field.column_name in resource.key_columns():
                continue
            assert example[field.column_name] not in (None, ""), (name, field.column_name)

        # As downloaded (nothing filled in): a clear "no data" message, nothing written.
        page = post_file(client, model_admin, "xlsx", content)
        assert page.status_code == 200 and "result" not in page.context, name
        assert "ไม่มีข้อมูลที่นำเข้าได้" in str(page.context["form"].errors["import_file"]), name

        # The example row in the first sheet: read without a format error.
        fill_in.append(rows[1])
        del book[EXAMPLE_SHEET]
        response = post_file(client, model_admin, "xlsx", _as_file(book))
        result = response.context["result"]
        assert not result.has_errors(), (name, [e.error for e in result.base_errors])
        lookups = _lookup_columns(resource)
        allowed = set(headers_for_people(resource, sorted(lookups)))
        for row in result.invalid_rows:
            assert set(row.error_dict) <= allowed, (name, row.error_dict)
        if not lookups & {c for c, v in example.items() if v not in (None, "")}:
            assert result.totals["new"] == 1, (name, [r.error_dict for r in result.invalid_rows])
        assert not model._default_manager.exists(), name  # a preview writes nothing


def test_a_template_with_a_visible_object_has_no_example_sheet(officer, client_for):
    from training.models import Participant

    Participant.objects.create(email="a@ipthailand.go.th", name="ก ข", division="trademark")
    model_admin = next(a for a in importable_admins() if a.model is Participant)
    book, _content = _template(client_for(officer), model_admin)
    assert len(book.worksheets) == 1
    assert len(list(book.active.values)) == 2  # the columns and the participant
