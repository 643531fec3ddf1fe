"""Issue 23 ("one door for data"): a bad decision gets the same refusal, in the same words, from
the liaison's decision sheet (the admin's upload page) and from the platform API (token auth).

The sheet names the row and the column; the API answers with its status and code. The words are
compared; they come from one place (``takedowns.decisions.decision_value_check``, the state machine
of ``takedowns.transitions`` and ``takedowns.case_items``), so each refusal is written once.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.api.bulk import COLUMNS
from takedowns.choices import CaseState as S
from takedowns.models import StatusEvent

pytestmark = pytest.mark.django_db

ADD = reverse("admin:api_decisionupload_add")
UNKNOWN = "TD-2026-999999"


@dataclass
class Bad:
    """One bad decision: the case it is made on (None: a reference nobody has) and what it says."""

    state: str | None
    decision: str = "removed"
    on_item: bool = False
    reason_code: str = ""
    note: str = ""
    decided_at: timedelta | None = None  # from now
    ticket: str = ""


BAD = {
    "unknown case reference": (Bad(None), 404, "case_reference"),
    "a state the case cannot move to": (
        Bad(S.REMOVED, decision=S.UNDER_PLATFORM_REVIEW),
        422,
        "decision",
    ),
    "a decision only DIP makes": (Bad(S.REMOVED, decision=S.CLOSED), 400, "decision"),
    "a move only DIP makes": (
        Bad(S.INFO_REQUESTED, decision=S.UNDER_PLATFORM_REVIEW, note="more"),
        403,
        "decision",
    ),
    "an outcome the item cannot take now": (
        Bad(S.UNDER_PLATFORM_REVIEW, decision="reinstated", on_item=True, reason_code="x"),
        422,
        "decision",
    ),
    "pending is no item decision": (
        Bad(S.UNDER_PLATFORM_REVIEW, decision="pending", on_item=True),
        400,
        "decision",
    ),
    "a word that is no decision": (Bad(S.UNDER_PLATFORM_REVIEW, decision="bogus"), 400, "decision"),
    "a refusal without its reason": (
        Bad(S.UNDER_PLATFORM_REVIEW, decision=S.NOT_REMOVED, note="no"),
        422,
        "decision",
    ),
    "an unknown reason code": (
        Bad(S.UNDER_PLATFORM_REVIEW, decision=S.NOT_REMOVED, reason_code="nope", note="no"),
        422,
        "decision",
    ),
    "a time in the future": (
        Bad(S.UNDER_PLATFORM_REVIEW, decided_at=timedelta(days=2)),
        422,
        "decision",
    ),
    "a time before the previous step": (
        Bad(S.UNDER_PLATFORM_REVIEW, decided_at=timedelta(days=-3000)),
        422,
        "decision",
    ),
    "an item's time in the future": (
        Bad(S.UNDER_PLATFORM_REVIEW, on_item=True, decided_at=timedelta(days=2)),
        422,
        "decision",
    ),
    "a ticket id longer than the case keeps": (
        Bad(S.UNDER_PLATFORM_REVIEW, ticket="T" * 101),
        400,
        "ippc_ticket_id",
    ),
    "blank decision": (Bad(S.UNDER_PLATFORM_REVIEW, decision=""), 400, "decision"),
    "blank item outcome": (
        Bad(S.UNDER_PLATFORM_REVIEW, decision="", on_item=True),
        400,
        "decision",
    ),
}


def sheet_refusal(client, bad: Bad, case, item):
    """(column, message) of the one error of a one-row sheet, uploaded on the admin's page."""
    when = ""
    if bad.decided_at is not None:
        when = timezone.localtime(timezone.now() + bad.decided_at).strftime("%Y-%m-%d %H:%M")
    row = [
        case.reference if case else UNKNOWN,
        item.url if item else "",
        bad.ticket,
        bad.decision,
        when,
        bad.reason_code,
        bad.note,
    ]
    text = "\r\n".join([",".join(COLUMNS), ",".join(row)]) + "\r\n"
    response = client.post(
        ADD, {"file": SimpleUploadedFile("decisions.csv", text.encode())}, follow=True
    )
    (result,) = response.context["rows"]
    assert result["row"] == 2  # the header is row 1
    (error,) = result["errors"]
    return error["column"], error["message"]


def api_refusal(api, bad: Bad, case, item):
    """(status, message) of the API's answer to the same decision."""
    body = {"reason_code": bad.reason_code, "note": bad.note}
    if bad.decision:
        body["outcome" if item else "decision"] = bad.decision
    if bad.ticket:
        body["ippc_ticket_id"] = bad.ticket
    if bad.decided_at is not None:
        body["decided_at"] = (timezone.now() + bad.decided_at).isoformat()
    if item:
        url = reverse("api:item-decision", args=[item.pk])
    else:
        url = reverse("api:case-decision", args=[case.reference if case else UNKNOWN])
    response = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    answer = response.json()
    if "errors" in answer:  # a field of the request: the message is the field's
        (field,) = answer["errors"]
        assert field in ("decision", "outcome", "ippc_ticket_id")
        (message,) = answer["errors"][field]
        return response.status_code, message
    return response.status_code, answer["detail"]


@pytest.fixture
def liaison_admin(liaison, client_for, settings):
    client = client_for(liaison)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize("name", list(BAD))
def test_sheet_and_api_refuse_a_bad_decision_in_the_same_words(
    name, case_in, liaison_admin, liaison_api
):
    bad, status, column = BAD[name]
    case = case_in(bad.state) if bad.state else None
    item = case.items.get() if bad.on_item else None
    events = StatusEvent.objects.count()
    sheet_column, sheet_message = sheet_refusal(liaison_admin, bad, case, item)
    api_status, api_message = api_refusal(liaison_api, bad, case, item)
    assert sheet_message == api_message, name
    assert (sheet_column, api_status) == (column, status), name
    assert StatusEvent.objects.count() == events  # neither door wrote anything


def test_the_sheets_own_refusals_name_the_row_and_column(case_in, liaison_admin):
    """What only a sheet can get wrong (the API names an item by its id, one decision a request):
    an item URL that is not of the case named, and a second row on the same item."""
    case = case_in(S.UNDER_PLATFORM_REVIEW)
    other = case_in(S.UNDER_PLATFORM_REVIEW)
    item = case.items.get()
    lines = [
        ",".join(COLUMNS),
        f"{other.reference},{item.url},,removed,,,",
        f"{case.reference},{item.url},,removed,,,",
        f",{item.url},,already_unavailable,,,",
    ]
    text = "\r\n".join(lines) + "\r\n"
    response = liaison_admin.post(
        ADD, {"file": SimpleUploadedFile("d.csv", text.encode())}, follow=True
    )
    errors = {row["row"]: row["errors"] for row in response.context["rows"]}
    assert errors[2] == [
        {"column": "item_url", "message": f"Case {other.reference} has no item with this URL."}
    ]
    assert errors[3] == []
    assert errors[4] == [{"column": "item_url", "message": "Row 4 repeats the decision of row 3."}]
    item.refresh_from_db()
    assert item.outcome == "pending"  # one error anywhere: nothing is written
