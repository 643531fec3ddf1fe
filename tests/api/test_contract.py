"""What a generated client relies on (issue 26): JSON answers on every path under /api/, the
docs page for a token holder, the typed cursor, filters of several states, English schema,
reason codes readable from the API, every error code in the schema and README alike."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from portal.api.errors import ERROR_CODES, readme_error_table
from takedowns.choices import CaseState as S
from takedowns.models import ReasonCode

pytestmark = pytest.mark.django_db
README = Path(settings.BASE_DIR) / "README.md"


@pytest.mark.parametrize(
    "path",
    ["/api/v1/nope/", "/api/v1/cases/abc/../x/", "/api/v1/cases", "/api/", "/api/v2/cases/"],
)
def test_every_path_under_api_answers_json(path, liaison_api):
    response = liaison_api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_the_docs_page_opens_for_a_token_holder(liaison, token_for, client):
    response = client.get(reverse("api:docs"), HTTP_AUTHORIZATION=f"Bearer {token_for(liaison)}")
    assert response.status_code == 200
    assert b"swagger-ui" in response.content


def test_the_docs_page_refuses_a_bad_token_in_json_and_sends_others_to_the_login(client):
    response = client.get(reverse("api:docs"), HTTP_AUTHORIZATION="Bearer mou_" + "0" * 40)
    assert response.status_code == 401 and response.json()["code"] == "token_invalid"
    assert client.get(reverse("api:docs")).status_code == 302


def test_the_schema_is_in_english_whatever_the_language_asked(liaison_api):
    for language in ("th", "th-TH,th;q=0.9", "en"):
        schema = liaison_api.get(
            reverse("api:schema"), {"format": "json"}, HTTP_ACCEPT_LANGUAGE=language
        ).json()
        text = str(schema)
        assert not re.search("[\u0e00-\u0e7f]", text), language
        assert "* `removed` - Removed" in text


def test_the_case_list_filters_on_several_states_and_pages_by_a_typed_cursor(case_in, liaison_api):
    wanted = {case_in(S.FORWARDED).reference for _ in range(3)}
    wanted.add(case_in(S.APPEALED).reference)
    case_in(S.REMOVED)
    seen, cursor = [], None
    while True:
        query = {"state": ["forwarded", "appealed"], "limit": 2}
        page = liaison_api.get(
            reverse("api:case-list"), query | ({"cursor": cursor} if cursor else {})
        )
        assert page.status_code == 200, page.json()
        body = page.json()
        seen += [case["reference"] for case in body["results"]]
        cursor = body["next_cursor"]
        assert (cursor is None) == (body["next"] is None)
        if cursor is None:
            break
    assert sorted(seen) == sorted(wanted)


@pytest.mark.parametrize("since", ["2026-11-01T00:00:00", "2026-11-01"])
def test_updated_since_without_a_time_zone_is_refused(since, liaison_api):
    response = liaison_api.get(reverse("api:case-list"), {"updated_since": since})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["updated_since"]


def test_reason_codes_are_readable_from_the_api(liaison_api):
    body = liaison_api.get(reverse("api:reason-codes")).json()
    active = ReasonCode.objects.filter(active=True)
    assert [row["code"] for row in body] == sorted(active.values_list("code", flat=True))
    assert {"code", "name_en", "use", "note_required"} == set(body[0])


def test_every_error_code_is_an_enum_of_its_status_in_the_schema(liaison_api):
    schemas = liaison_api.get(reverse("api:schema"), {"format": "json"}).json()["components"]
    for status, codes in ERROR_CODES.items():
        assert schemas["schemas"][f"Error{status}CodeEnum"]["enum"] == list(codes)


def test_readmes_error_table_is_the_schemas(client):
    """README's table is generated from ``portal.api.errors.ERROR_CODES``; regenerate it with
    ``manage.py shell -c 'from portal.api.errors import readme_error_table as t; print(t())'``."""
    assert readme_error_table() in README.read_text(encoding="utf-8")


@pytest.mark.parametrize("digits", ["\u0661\u0662", "\uff11\uff12", "\u0e51\u0e52"])
def test_query_numbers_take_ascii_digits_only(digits, liaison_api):
    for name, query in (("case-list", "limit"), ("events", "after"), ("events", "limit")):
        response = liaison_api.get(reverse(f"api:{name}"), {query: digits})
        assert response.status_code == 400 and list(response.json()["errors"]) == [query]
