"""Issue 24 item 5: no query string from any role is a server error.

Every registered admin's change list and every API endpoint are asked with query strings made of
what an attacker tries (lookups of every field with ``__regex``/``__iregex`` and bad patterns,
``__in``, ``__isnull``, dates of year 1, 9999 and in the Buddhist era, ordering, paging, search,
unknown names, non-ASCII digits, NUL). Whatever the role, the answer is never a 5xx, and a 4xx
carries a message.
"""

import json
import re
from html import unescape

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import IGNORED_PARAMS
from django.test import RequestFactory
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.security.limited_admin import _field_parameters, _filter_parameters
from tests.api.conftest import api_as, token_for  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

ROLES = ("officer", "supervisor", "liaison", "manager", "superuser")
FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure here is never luck
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY_VALUES = (
    "(",
    "[",
    "*",
    "\\",
    "a{2,1}",
    "0001-01-01",
    "0001-01-01T00:00:00",
    "0001-01-01 00:00:00",
    "9999-12-31",
    "9999-12-31T23:59:59",
    "2569-11-20",  # a Buddhist-era year
    "๒๕๖๙-๑๑-๒๐",  # the same in Thai digits
    "١٢",  # Arabic-Indic digits
    "²",
    "0",
    "-1",
    "99999999999999999999",
    "1e309",
    "NaN",
    "",
    "1,2,x",
    ",",
    "true",
    "False",
    "x\x00y",
    "%",
    "'",
    "TD-2026-000001",
    "a" * 300,
)
LOOKUP_SUFFIXES = (
    "regex",
    "iregex",
    "in",
    "isnull",
    "gte",
    "lt",
    "year",
    "month",
    "day",
    "exact",
    "icontains",
    "startswith",
    "range",
    "date",
)
values = st.one_of(st.sampled_from(NASTY_VALUES), st.text(max_size=8))


def has_message(response) -> bool:
    text = response.content.decode("utf-8", errors="replace")
    return bool(re.sub(r"\s+", "", unescape(re.sub(r"<[^>]+>", " ", text))))


@pytest.fixture
def users(role_users, django_user_model):
    root = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    return {**role_users, "superuser": root}


@pytest.fixture
def changelists(users):
    """role -> [(change-list URL, its list filters' parameters, other names worth trying)]."""
    factory = RequestFactory()
    found = {}
    for role, user in users.items():
        request = factory.get("/")
        request.user = user
        found[role] = [
            (
                reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"),
                *_parameter_names(model, model_admin, request),
            )
            for model, model_admin in admin.site._registry.items()
            if model_admin.has_view_or_change_permission(request)
        ]
    return found


def _parameter_names(model, model_admin, request) -> tuple[list[str], list[str]]:
    """The list filters' own parameters (the ones that reach the query), and everything else."""
    filters = set(_filter_parameters(model, model_admin.get_list_filter(request)))
    if model_admin.date_hierarchy:
        filters |= _field_parameters(model, model_admin.date_hierarchy)
    others = set(IGNORED_PARAMS) | {"o", "p", "q", "e", "nothing", "id__gt", "pk"}
    for field in model._meta.concrete_fields:
        others |= {f"{field.name}__{suffix}" for suffix in LOOKUP_SUFFIXES}
    return sorted(filters) or ["q"], sorted(others - filters)


def test_item5_bad_regex_on_every_admin_list_is_a_400_with_a_message(client, users, changelists):
    """``?code__regex=(`` was a database error on every list without the lookup guard."""
    for role, lists in changelists.items():
        client.force_login(users[role])
        for url, _filters, _others in lists:
            response = client.get(url, {"code__regex": "(", "name__iregex": "["})
            assert response.status_code == 400, (role, url, response.status_code)
            assert has_message(response)


@FUZZ
@given(data=st.data())
def test_item5_fuzzed_admin_list_queries_never_fail(data, client, users, changelists):
    role = data.draw(st.sampled_from(ROLES), label="role")
    url, filters, others = data.draw(st.sampled_from(changelists[role]), label="list")
    names = st.one_of(st.sampled_from(filters), st.sampled_from(filters), st.sampled_from(others))
    query = data.draw(st.dictionaries(names, values, min_size=1, max_size=3), label="query")
    client.force_login(users[role])
    response = client.get(url, query)
    assert response.status_code < 500, (role, url, query, response.status_code)
    if response.status_code >= 400:
        assert has_message(response), (role, url, query)
    if response.status_code == 302 and "e=1" in response["Location"]:
        assert client.get(response["Location"]).status_code == 200


API_QUERIES = {
    "api:me": (),
    "api:case-list": ("state", "updated_since", "cursor", "limit", "ordering", "search"),
    "api:events": ("after", "limit", "cursor"),
    "api:schema": ("format", "lang", "version"),
}
API_PATH_VALUES = ("TD-2026-000001", "%C2%B2", "١٢", "0", "-1", "99999999999999999999", "x")


@FUZZ
@given(data=st.data())
def test_item5_fuzzed_api_queries_never_fail(data, users, api_as, client):  # noqa: F811
    """Every API endpoint's parameters, for each role's session and the liaison's token."""
    role = data.draw(st.sampled_from((*ROLES, "token")), label="role")
    if role == "token":
        api = api_as(users["liaison"])
    else:
        client.force_login(users[role])
        api = client
    name = data.draw(st.sampled_from([*API_QUERIES, "api:case-detail", "api:item-decision"]))
    if name == "api:case-detail":
        url = f"/api/v1/cases/{data.draw(st.sampled_from(API_PATH_VALUES))}/"
        names = ("state", "nothing")
    elif name == "api:item-decision":
        url = f"/api/v1/items/{data.draw(st.sampled_from(API_PATH_VALUES))}/decision/"
        names = ("outcome",)
    else:
        url, names = reverse(name), API_QUERIES[name] or ("nothing",)
    query = data.draw(st.dictionaries(st.sampled_from(names), values, max_size=3), label="query")
    if name == "api:item-decision":
        body = json.dumps(query)
        response = api.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    else:
        response = api.get(url, query)
    assert response.status_code < 500, (role, url, query, response.status_code)
    if response.status_code >= 400:
        assert has_message(response), (role, url, query)
