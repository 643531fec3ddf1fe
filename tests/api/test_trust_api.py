"""Trust review, the platform API: cache outage, odd cursors, tokens issued once and only to a
platform-only account, and two-factor before the schema and its docs."""

import base64

import pytest
from django.urls import reverse

from takedowns.choices import CaseState as S

pytestmark = pytest.mark.django_db

LIST = reverse("api:case-list")


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "stamp",
    [
        "2026-03-01T10:00:00+05:45",
        "2026-03-01T10:00:00+0530",
        "2026-03-01T10:00:00+23:59:59.999999",
        "0001-01-01T00:00:00+05:00",
        "9999-12-31T23:59:59-05:00",
        "2026-03-01T10:00:00",
        "garbage",
    ],
)
def test_api_cursor_with_odd_utc_offset_is_400_json(stamp, case_in, liaison_api):
    case_in(S.FORWARDED)
    for cursor in (cursor_of(f"{stamp}|1"), cursor_of(stamp), "%%%", cursor_of(f"{stamp}|x")):
        response = liaison_api.get(LIST, {"cursor": cursor})
        assert response.status_code == 400, (stamp, cursor)
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    "since", ["9999-12-31T23:59:59-05:00", "2026-03-01T10:00:00+23:59", "2026-03-01T10:00+0545x"]
)
def test_api_cursor_odd_offset_in_updated_since_never_500(since, case_in, liaison_api):
    case_in(S.FORWARDED)
    response = liaison_api.get(LIST, {"updated_since": since})
    assert response.status_code in (200, 400)
    assert response["Content-Type"].startswith("application/json")


def test_api_cursor_written_by_the_api_still_pages(case_in, liaison_api):
    for _ in range(3):
        case_in(S.FORWARDED)
    first = liaison_api.get(LIST, {"limit": 2}).json()
    second = liaison_api.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) == 1


UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "KEY_PREFIX": "unreachable",
    }
}


def test_api_cache_down_rate_limit_fails_open_with_a_warning(
    case_in, liaison_api, settings, caplog
):
    """Item 5: Redis unreachable: the API still answers (JSON 200) and logs that the limit was off."""
    case = case_in(S.FORWARDED)
    settings.CACHES = UNREACHABLE_REDIS
    with caplog.at_level("WARNING", logger="portal.api.throttling"):
        response = liaison_api.get(LIST)
    assert response.status_code == 200
    assert [row["reference"] for row in response.json()["results"]] == [case.reference]
    assert any("rate limit not applied" in r.getMessage() for r in caplog.records)


def test_api_cache_down_elsewhere_is_json_503(liaison_api, monkeypatch):
    """Item 5: any other failure of the cache (or the database) is a JSON 503, not the HTML page."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    from portal.api import views

    def unreachable(user):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(views, "visible_cases", unreachable)
    response = liaison_api.get(LIST)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "service_unavailable"
    assert response["Retry-After"] == "30"
