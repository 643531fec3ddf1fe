"""The platform integrates from the schema alone (issue 26): the schema is downloaded from a live
server, a client is generated from it with openapi-python-client, and the platform's whole flow
runs through that client only: README's integration guide (its code, executed as written), then
paging by the typed cursor, filters, the event feed, case and item decisions, a replay, and every
error status the schema declares. Every answer is validated against the schema (openapi-core).
"""

import re
import subprocess
import sys
import time
import types
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.utils import timezone
from knox.settings import CONSTANTS
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from portal.api import views
from portal.api.errors import ERROR_CODES
from portal.api.models import ApiToken
from portal.api.services import api_token_revoke
from takedowns.choices import CaseState as S

README = Path(django_settings.BASE_DIR) / "README.md"
PACKAGE = "platform_client"


class OpenAPIRequest:
    """An httpx request as openapi-core reads one."""

    def __init__(self, request: httpx.Request):
        self.host_url = f"{request.url.scheme}://{request.url.netloc.decode()}"
        self.path = request.url.path
        self.method = request.method.lower()
        self.body = request.content
        self.content_type = request.headers.get("Content-Type", "")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(request.url.params.multi_items())),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )


class OpenAPIResponse:
    def __init__(self, response: httpx.Response):
        self.data = response.content
        self.status_code = response.status_code
        self.content_type = response.headers.get("Content-Type", "")
        self.headers = Headers(dict(response.headers))


class SchemaChecker:
    """An httpx response hook: every answer of an operation the schema has must match it."""

    def __init__(self, schema: dict):
        self.openapi = OpenAPI.from_dict(schema)
        self.operations = {
            re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"): set(methods)
            for path, methods in schema["paths"].items()
        }
        self.statuses: set[int] = set()

    def __call__(self, response: httpx.Response) -> None:
        response.read()
        assert response.headers["Content-Type"] == "application/json", response.text[:200]
        self.statuses.add(response.status_code)
        request = response.request
        methods = next(
            (m for path, m in self.operations.items() if path.match(request.url.path)), None
        )
        if methods is None:  # a path the schema does not have: the JSON 404 of all of /api/
            assert (response.status_code, response.json()["code"]) == (404, "not_found")
        elif request.method.lower() not in methods:
            assert (response.status_code, response.json()["code"]) == (405, "method_not_allowed")
        else:
            self.openapi.validate_response(OpenAPIRequest(request), OpenAPIResponse(response))


def generate_client(schema_json: bytes, directory: Path) -> None:
    (directory / "schema.json").write_bytes(schema_json)
    # README's config, plus no post-generation hooks (they would run a formatter)
    (directory / "client.yaml").write_text(f"package_name_override: {PACKAGE}\npost_hooks: []\n")
    generator = Path(sys.executable).with_name("openapi-python-client")
    subprocess.run(
        [generator, "generate", "--path", "schema.json", "--config", "client.yaml"]
        + ["--meta", "none", "--output-path", PACKAGE],
        cwd=directory,
        check=True,
        capture_output=True,
    )


def guide_snippets() -> list[str]:
    text = README.read_text(encoding="utf-8")
    guide = text[text.index("**Integrating with a generated client.**") :]
    guide = guide[: guide.index("**Bulk decisions.**")]
    return re.findall(r"```python\n(.*?)```", guide, flags=re.DOTALL)


@pytest.fixture
def generated(live_server, liaison, token_for, tmp_path, monkeypatch):
    """(the generated package, its schema checker, a liaison's token)."""
    token = token_for(liaison)
    schema = httpx.get(
        f"{live_server.url}/api/schema/?format=json",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "th"},
    )
    assert schema.status_code == 200
    generate_client(schema.content, tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]
    import platform_client

    yield platform_client, SchemaChecker(schema.json()), token
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]


# serialized_rollback: as the schemathesis test, its flush must not recreate the role groups.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_platforms_whole_flow_through_a_client_generated_from_the_schema(
    generated, live_server, case_in, liaison, officer, token_for, settings, monkeypatch
):
    platform_client, checker, token = generated
    from platform_client import AuthenticatedClient, Client
    from platform_client.api.cases import cases_detail, cases_list
    from platform_client.api.decisions import case_decision, item_decision
    from platform_client.api.events import events_feed
    from platform_client.api.reason_codes import reason_codes_list
    from platform_client.api.token import token_info
    from platform_client.models import (
        CaseDecisionRequest,
        CasesListStateItem,
        DecisionEnum,
        ItemDecisionOutcomeEnum,
        ItemDecisionRequest,
    )
    from platform_client.types import UNSET

    forwarded = [case_in(S.FORWARDED) for _ in range(5)]
    reviewed = case_in(S.UNDER_PLATFORM_REVIEW, items=2)
    asked = case_in(S.INFO_REQUESTED)
    removed = case_in(S.REMOVED)
    case_in(S.DRAFT)  # DIP's: never seen by the platform
    hooks = {"event_hooks": {"response": [checker]}}

    def client_for(token, **kwargs):
        return AuthenticatedClient(
            base_url=live_server.url, token=token, httpx_args=hooks, **kwargs
        )

    client = client_for(token)

    def key():
        return str(uuid.uuid4())

    # README's integration guide, its code as written (the guide decides forwarded[0])
    namespace = {"BASE_URL": live_server.url, "TOKEN": token}
    snippets = guide_snippets()
    assert len(snippets) >= 4
    for snippet in snippets:
        snippet = snippet.replace(
            "AuthenticatedClient(base_url=BASE_URL, token=TOKEN)",
            "AuthenticatedClient(base_url=BASE_URL, token=TOKEN, httpx_args=HOOKS)",
        )
        exec(snippet, namespace | {"HOOKS": hooks}, namespace)
    assert namespace["reference"] == forwarded[0].reference
    forwarded[0].refresh_from_db()
    assert (forwarded[0].state, forwarded[0].ippc_ticket_id) == (S.NOT_REMOVED, "IPPC-1234")

    # paging by the typed cursor, two states at once
    seen, cursor = [], UNSET
    states = [CasesListStateItem.FORWARDED, CasesListStateItem.INFO_REQUESTED]
    while True:
        page = cases_list.sync(client=client, state=states, limit=2, cursor=cursor)
        seen += [case.reference for case in page.results]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen))
    assert set(seen) == {c.reference for c in forwarded[1:]} | {asked.reference}
    since = cases_list.sync(client=client, updated_since=timezone.now() + timedelta(minutes=1))
    assert since.results == [] and since.next_cursor is None

    # the event feed, paged by `after`
    after, events = 0, []
    while True:
        feed = events_feed.sync(client=client, after=after, limit=3)
        events += feed.results
        after = feed.after
        if not feed.has_more:
            break
    assert len(events) == len({e.id for e in events}) > 10
    assert {e.case for e in events} == {c.reference for c in (*forwarded, reviewed, asked, removed)}

    # an item decision, its replay, then the case decision that sets the other item
    first, second = reviewed.items.order_by("pk")
    item_key = key()
    body = ItemDecisionRequest(outcome=ItemDecisionOutcomeEnum.REMOVED)
    done = item_decision.sync_detailed(first.pk, client=client, body=body, idempotency_key=item_key)
    again = item_decision.sync_detailed(
        first.pk, client=client, body=body, idempotency_key=item_key
    )
    assert done.status_code == 200 and done.parsed.changed and again.parsed == done.parsed
    assert again.headers["Idempotent-Replayed"] == "true"
    case_body = CaseDecisionRequest(decision=DecisionEnum.REMOVED)
    decided = case_decision.sync(
        reviewed.reference, client=client, body=case_body, idempotency_key=key()
    )
    assert decided.case.state == "removed"
    assert {
        item.outcome for item in cases_detail.sync(reviewed.reference, client=client).items
    } == {"removed"}
    feed = events_feed.sync(client=client, after=after)
    assert [(e.item, e.item_outcome, e.to_state) for e in feed.results][-2:] == [
        (second.pk, "removed", "under_platform_review"),
        (None, None, "removed"),
    ]
    codes = {c.code for c in reason_codes_list.sync(client=client)}
    assert "no_infringement" in codes

    # every documented error, parsed as its status's Error component
    def error(response, status, code):
        assert response.status_code == status, response.content
        parsed = response.parsed
        if parsed is None:  # a status the operation does not declare would land here
            parsed = getattr(platform_client.models, f"Error{status}").from_dict(
                httpx.Response(status, content=response.content).json()
            )
        assert type(parsed).__name__ == f"Error{status}" and parsed.code == code, parsed
        return response

    def decide(reference, token_client=client, **fields):
        request = CaseDecisionRequest(**fields)
        return case_decision.sync_detailed(
            reference, client=token_client, body=request, idempotency_key=key()
        )

    raw = client.get_httpx_client()
    decision_path = f"/api/v1/cases/{asked.reference}/decision/"
    error(cases_list.sync_detailed(client=client, limit=0), 400, "invalid")
    error(cases_list.sync_detailed(client=client, cursor="nope"), 400, "invalid_cursor")
    bad_json = raw.post(
        decision_path,
        content=b"{",
        headers={"Content-Type": "application/json", "Idempotency-Key": key()},
    )
    assert bad_json.status_code == 400 and bad_json.json()["code"] == "parse_error"
    anonymous = Client(base_url=live_server.url, httpx_args=hooks)
    error(token_info.sync_detailed(client=anonymous), 401, "not_authenticated")
    error(token_info.sync_detailed(client=client_for("a b")), 401, "authentication_failed")
    error(token_info.sync_detailed(client=client_for("mou_" + "0" * 40)), 401, "token_invalid")
    revoked = token_for(liaison)
    api_token_revoke(
        token=ApiToken.objects.get(token_key=revoked[: CONSTANTS.TOKEN_KEY_LENGTH]),
        revoked_by=officer,
    )
    error(token_info.sync_detailed(client=client_for(revoked)), 401, "token_revoked")
    expired = token_for(liaison)
    ApiToken.objects.filter(token_key=expired[: CONSTANTS.TOKEN_KEY_LENGTH]).update(
        expiry=timezone.now()
    )
    error(token_info.sync_detailed(client=client_for(expired)), 401, "token_expired")
    error(token_info.sync_detailed(client=client_for(token_for(officer))), 403, "not_liaison")
    dip_step = decide(asked.reference, decision=DecisionEnum.UNDER_PLATFORM_REVIEW, note="x")
    error(dip_step, 403, "permission_denied")
    error(cases_detail.sync_detailed("TD-2026-9999999", client=client), 404, "not_found")
    assert raw.get("/api/v1/nope/").status_code == 404
    assert raw.get(decision_path).json()["code"] == "method_not_allowed"
    assert raw.get("/api/v1/me/", headers={"Accept": "text/html"}).status_code == 406
    plain = raw.post(
        decision_path,
        content=b"x",
        headers={"Content-Type": "text/plain", "Idempotency-Key": key()},
    )
    assert plain.status_code == 415 and plain.json()["code"] == "unsupported_media_type"
    error(
        decide(removed.reference, decision=DecisionEnum.INFO_REQUESTED), 422, "illegal_transition"
    )
    later = timezone.now() + timedelta(days=1)
    error(
        decide(removed.reference, decision=DecisionEnum.APPEALED, decided_at=later),
        422,
        "future_time",
    )
    unknown = decide(
        forwarded[1].reference, decision=DecisionEnum.UNDER_PLATFORM_REVIEW, reason_code="nope"
    )
    error(unknown, 422, "unknown_reason")
    outcome = ItemDecisionRequest(outcome=ItemDecisionOutcomeEnum.REMOVED)
    item = forwarded[2].items.get()
    refused = item_decision.sync_detailed(
        item.pk, client=client, body=outcome, idempotency_key=key()
    )
    error(refused, 422, "illegal_item_outcome")
    reused = key()
    case_decision.sync_detailed(
        forwarded[3].reference,
        client=client,
        body=CaseDecisionRequest(decision=DecisionEnum.UNDER_PLATFORM_REVIEW),
        idempotency_key=reused,
    )
    other = CaseDecisionRequest(decision=DecisionEnum.UNDER_PLATFORM_REVIEW, note="other")
    error(
        case_decision.sync_detailed(
            forwarded[3].reference, client=client, body=other, idempotency_key=reused
        ),
        422,
        "idempotency_key_reused",
    )

    # a race: the case changes between the API's read and its write
    read = views.visible_case_or_404

    def read_then_someone_else_writes(user, reference, **kwargs):
        case = read(user, reference, **kwargs)
        type(case).objects.filter(pk=case.pk).update(version=case.version + 1)
        return case

    monkeypatch.setattr(views, "visible_case_or_404", read_then_someone_else_writes)
    error(decide(forwarded[4].reference, decision=DecisionEnum.UNDER_PLATFORM_REVIEW), 409, "stale")
    monkeypatch.setattr(views, "visible_case_or_404", read)

    def database_down(user):
        raise OperationalError("connection refused")

    monkeypatch.setattr(views, "visible_cases", database_down)
    unavailable = error(cases_list.sync_detailed(client=client), 503, "service_unavailable")
    assert int(unavailable.headers["Retry-After"]) > 0
    monkeypatch.undo()

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "2/minute"},
    }
    limited = client_for(token_for(liaison))
    # The limit counts per minute of the clock: the requests are kept in one minute (at a
    # minute's turn the count starts again, and the third request was served).
    in_one_minute = time.time() // 60 * 60 + 30
    monkeypatch.setattr(
        "portal.api.throttling.time", types.SimpleNamespace(time=lambda: in_one_minute)
    )
    statuses = [token_info.sync_detailed(client=limited).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    throttled = error(token_info.sync_detailed(client=limited), 429, "throttled")
    assert int(throttled.headers["Retry-After"]) > 0

    assert checker.statuses >= {200, *ERROR_CODES}
