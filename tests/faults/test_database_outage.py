"""PostgreSQL going away in the middle of a request: a friendly 503 page, no traceback, nothing
half-written, and the portal answers normally on the next request.

The backend serving the live server's request is terminated with pg_terminate_backend from a second
connection, just before the request's first query after the session is read.
"""

import threading

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection
from django.db.backends.signals import connection_created

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.requires_postgres("terminates the server's backend of the connection"),
]


def _terminate(pid: int) -> None:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", [pid])


class Saboteur:
    """Kills the server thread's database backend before its ``nth`` query of one request."""

    def __init__(self, nth=2):
        self.nth = nth
        self.armed = False
        self.fired = 0
        self.main = threading.get_ident()

    def __call__(self, sender, connection, **kwargs):
        if threading.get_ident() == self.main or not self.armed:
            return
        seen = {"queries": 0}

        def wrapper(execute, sql, params, many, context):
            seen["queries"] += 1
            if self.armed and seen["queries"] == self.nth:
                self.armed = False
                self.fired += 1
                _terminate(context["connection"].connection.info.backend_pid)
            return execute(sql, params, many, context)

        connection.execute_wrappers.append(wrapper)


@pytest.fixture
def session(live_server, officer, client, _drop_swapped_out_tables):
    client.force_login(officer)
    http = requests.Session()
    http.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    http.headers["Accept-Language"] = "en"
    return http


@pytest.mark.parametrize("nth", [1, 2, 3])
def test_the_database_going_away_mid_request_gives_a_clean_503_and_recovers(
    live_server, session, nth, record_fault
):
    url = live_server.url + "/admin/portal/target/"
    assert session.get(url, timeout=30).status_code == 200

    saboteur = Saboteur(nth=nth)
    connection_created.connect(saboteur, weak=False)
    try:
        saboteur.armed = True
        response = session.get(url, timeout=30)
    finally:
        connection_created.disconnect(saboteur)
    assert saboteur.fired == 1
    record_fault()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    body = response.text
    assert "briefly unavailable" in body
    for leak in ("Traceback", "OperationalError", "terminating connection", "psycopg"):
        assert leak not in body

    again = session.get(url, timeout=30)
    assert again.status_code == 200


def test_a_write_cut_off_by_the_outage_leaves_nothing_half_written(
    live_server, session, record_fault, supervisor, client
):
    """Add an agreement with an inline workstream; the backend dies before the second insert."""
    from portal.models import Agreement, Workstream

    client.force_login(supervisor)
    http = requests.Session()
    http.cookies.set(
        settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value
    )
    add = live_server.url + "/admin/portal/agreement/add/"
    page = http.get(add, timeout=30)
    assert page.status_code == 200
    token = http.cookies["csrftoken"]
    data = {
        "csrfmiddlewaretoken": token,
        "title": "MOU DIP × TikTok",
        "parties": "DIP, TikTok",
        "signed_on": "2025-06-01",
        "workstreams-TOTAL_FORMS": "1",
        "workstreams-INITIAL_FORMS": "0",
        "workstreams-MIN_NUM_FORMS": "0",
        "workstreams-MAX_NUM_FORMS": "1000",
        "workstreams-0-code": "gi_promotion",
        "workstreams-0-lead": "DIP",
    }
    inserts = {"n": 0}
    main = threading.get_ident()

    def saboteur(sender, connection, **kwargs):
        if threading.get_ident() == main:
            return

        def wrapper(execute, sql, params, many, context):
            if sql.lstrip().upper().startswith("INSERT") and "workstream" in sql:
                inserts["n"] += 1
                if inserts["n"] == 1:
                    _terminate(context["connection"].connection.info.backend_pid)
            return execute(sql, params, many, context)

        connection.execute_wrappers.append(wrapper)

    connection_created.connect(saboteur, weak=False)
    try:
        response = http.post(add, data=data, headers={"Referer": add}, timeout=30)
    finally:
        connection_created.disconnect(saboteur)
    assert inserts["n"] >= 1
    record_fault()
    assert response.status_code == 503
    assert not Agreement.objects.exists()
    assert not Workstream.objects.exists()

    response = http.post(add, data=data, headers={"Referer": add}, timeout=30)
    assert response.status_code == 200 or response.status_code == 302
    assert Agreement.objects.count() == 1 and Workstream.objects.count() == 1
