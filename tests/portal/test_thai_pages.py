"""Issue 18, Thai everywhere: every admin page a DIP role opens (lists, add forms, import and
export pages, a row's page and its history, the dashboard) has no user-interface string left in
English (checked against the catalogues' msgids: tests/english_left.py)."""

import contextlib

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from takedowns.choices import CaseState as S
from takedowns.models import ReasonCode
from tests.english_left import english_left
from tests.takedowns.conftest import holder, make_case, right, walk  # noqa: F401

pytestmark = pytest.mark.django_db


def _pages(user):
    """The admin pages ``user`` may open: per model its list, add form, import and export pages,
    and the page and history of its latest row."""
    yield reverse("admin:index")
    yield reverse("admin:dashboard")
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if not user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            continue
        name = f"admin:{opts.app_label}_{opts.model_name}"
        yield reverse(f"{name}_changelist")
        if user.has_perm(f"{opts.app_label}.add_{opts.model_name}"):
            yield reverse(f"{name}_add")
        for page in ("import", "export"):
            with contextlib.suppress(NoReverseMatch):
                yield reverse(f"{name}_{page}")
        latest = model_admin.get_queryset(_request_for(user)).order_by("-pk").first()
        if latest is not None:
            yield reverse(f"{name}_change", args=[latest.pk])
            yield reverse(f"{name}_history", args=[latest.pk])


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.parametrize("role", ["officer", "supervisor", "manager"])
def test_no_english_left_on_the_pages_of_a_dip_role(role, role_users, client_for, request):
    protected_right = request.getfixturevalue("right")
    walk(make_case(protected_right, items=2), S.FORWARDED, role_users)
    make_case(protected_right)
    user = role_users[role]
    client = client_for(user)
    # Data, not interface: the cast's user names, the reason codes and their English names.
    data = [*role_users, *ReasonCode.objects.values_list("code", flat=True)]
    data += ReasonCode.objects.values_list("name_en", flat=True)
    left = {}
    for url in _pages(user):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")  # DIP works in Thai regardless
        if response.status_code != 200 or "html" not in response["Content-Type"]:
            continue
        found = english_left(response.content.decode(), data=data)
        if found:
            left[url] = found
    assert not left, left
