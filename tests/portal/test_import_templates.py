"""Issue 23, item 3: each import page offers a template (its columns and one example row) that
imports back cleanly; only a user who may import the model may download it."""

import io

import openpyxl
import pytest
from django.urls import reverse

from tests.portal.test_one_engine import demo_data, importable_admins, post_file  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=False)

ROLES = ("officer", "supervisor", "liaison", "manager")


@pytest.fixture
def demo_users(demo_data, django_user_model):  # noqa: F811
    """The demo's users, one per role (the demo data made them)."""
    return {role: django_user_model.objects.get(username=role) for role in ROLES}


def template_url(model_admin) -> str:
    opts = model_admin.model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_import_template")


def test_each_import_page_offers_a_template_with_one_example_row_that_imports_cleanly(
    demo_users, client_for
):
    officer = demo_users["officer"]
    client = client_for(officer)
    admins = [a for a in importable_admins() if a.has_import_permission(_request_of(officer))]
    assert len(admins) >= 10
    for model_admin in admins:
        name = model_admin.model.__name__
        opts = model_admin.model._meta
        page = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_import"))
        assert template_url(model_admin) in page.content.decode(), name
        assert "ดาวน์โหลดแบบฟอร์ม" in page.content.decode(), name

        response = client.get(template_url(model_admin))
        assert response.status_code == 200, name
        rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
        assert len(rows) == 2, (name, rows)
        header, example = rows
        resource = model_admin.resource_classes[0]()
        columns = resource.column_names_of(header)
        for field in resource.get_import_fields():
            if not field.readonly and field.column_name not in resource.optional_columns:
                assert field.column_name in columns, (name, field.column_name)
        assert any(cell not in (None, "") for cell in example), name

        outcome = post_file(client, model_admin, "xlsx", response.content)
        result = outcome.context["result"]
        assert not result.has_errors() and not result.has_validation_errors(), (
            name,
            [e.error for e in result.base_errors],
            [r.error_dict for r in result.invalid_rows],
        )
        assert result.totals["skip"] + result.totals["update"] + result.totals["new"] == 1, name


def _request_of(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    return request


def test_an_import_template_needs_the_import_permission(demo_users, outsider, client_for):
    answers = set()
    for role, user in {**demo_users, "outsider": outsider}.items():
        client = client_for(user)
        for model_admin in importable_admins():
            opts = model_admin.model._meta
            may_add = user.has_perm(f"{opts.app_label}.add_{opts.model_name}")
            status = client.get(template_url(model_admin)).status_code
            assert status == (200 if may_add else 403), (role, model_admin)
            answers.add(status)
    assert answers == {200, 403}
