"""Issue 25: the dashboard's date filters are typed as every date of the portal is: a Thai user
reads and types Buddhist-era (BE) years, with the admin's calendar in BE; the English liaison
the Christian era (CE). The page's address keeps ISO dates, so links and bookmarks read the same
in both languages, and a bad date is refused with a message (400), never a 500."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
URL = reverse("admin:dashboard")
RECOMPUTE = reverse("admin:dashboard_recompute")


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _input(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert tag, name
    return tag.group(0)


def _value(page: str, name: str) -> str:
    found = re.search(r'value="([^"]*)"', _input(page, name))
    return found.group(1) if found else ""


def test_a_thai_user_types_be_dates_and_lands_on_the_iso_address(manager, client_for):
    client = client_for(manager)
    response = client.get(URL, {"date_from": "01/01/2569", "date_to": "31/03/2569"})
    assert response.status_code == 302
    assert response["Location"] == URL + "?date_from=2026-01-01&date_to=2026-03-31"
    response = client.get(response["Location"])
    assert response.status_code == 200
    scope = response.context["scope"]
    assert (scope.date_from, scope.date_to) == (date(2026, 1, 1), date(2026, 3, 31))
    page = response.content.decode()
    assert _value(page, "date_from") == "01/01/2569"
    assert _value(page, "date_to") == "31/03/2569"
    assert 'data-era="BE"' in _input(page, "date_from")
    assert 'type="date"' not in _input(page, "date_from")  # the browser's ISO picker is gone
    for script in ("jsi18n", "admin/js/core.js", "DateTimeShortcuts.js", "buddhist-era-calendar"):
        assert script in page, script
    # The report and the recompute keep the period, in ISO.
    assert 'name="date_from" value="2026-01-01"' in page


def test_an_iso_bookmark_works_in_thai_and_in_english(manager, liaison, client_for):
    query = "?date_from=2026-01-01&date_to=2026-01-31"
    thai = client_for(manager).get(URL + query)
    assert thai.status_code == 200
    assert _value(thai.content.decode(), "date_from") == "01/01/2569"
    english = _english(client_for(liaison)).get(URL + query)
    assert english.status_code == 200
    assert english.context["scope"].date_to == date(2026, 1, 31)
    page = english.content.decode()
    assert 'lang="en"' in page
    assert _value(page, "date_from") == "2026-01-01"
    assert 'data-era="CE"' in _input(page, "date_from")


def test_the_english_liaison_types_ce_dates(liaison, client_for):
    client = _english(client_for(liaison))
    response = client.get(URL, {"date_from": "15/01/2026"})
    assert response["Location"] == URL + "?date_from=2026-01-15"
    assert client.get(URL, {"date_from": "2026-01-15"}).status_code == 200


@pytest.mark.parametrize(
    ("english", "typed", "says"),
    [
        (False, {"date_from": "01/01/2026"}, "01/01/2569"),  # a CE year typed in Thai
        (True, {"date_from": "30/11/2571"}, "30/11/2028"),  # a BE year typed in English
        (False, {"date_from": "31/02/2569"}, "31/02/2569"),  # no such day
        (False, {"date_to": "2026-13-01"}, "2026-13-01"),
        (True, {"date_from": "yesterday"}, "yesterday"),
        (False, {"date_from": "1/1/69"}, "1/1/69"),  # a two-digit year
        (False, {"date_from": "9" * 300}, "9999"),
        (True, {"date_from": "2026-05-01", "date_to": "2026-01-01"}, "start date"),
    ],
)
def test_a_bad_date_is_refused_with_a_message(english, typed, says, manager, liaison, client_for):
    client = _english(client_for(liaison)) if english else client_for(manager)
    response = client.get(URL, typed)
    assert response.status_code == 400
    assert response.context["scope"].is_default  # the whole MOU meanwhile
    assert response.context["form"].errors
    assert says in response.content.decode()


def test_recompute_goes_back_to_the_iso_address(manager, client_for):
    response = client_for(manager).post(RECOMPUTE + "?date_from=01/01/2569&junk=1")
    assert response.status_code == 302
    assert response["Location"] == URL + "?date_from=2026-01-01"
