"""The decision sheet's whole-case rows go through one batch: its queries do not grow per row."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.api.bulk import COLUMNS
from takedowns.choices import CaseState as S
from takedowns.models import TakedownCase

pytestmark = pytest.mark.django_db

ADD = reverse("admin:api_decisionupload_add")


def _sheet(cases):
    lines = [",".join(COLUMNS)]
    for n, case in enumerate(cases):
        decision = "removed" if n % 2 else "already_unavailable"
        lines.append(f"{case.reference},,IPPC-{case.pk},{decision},,,")
    return SimpleUploadedFile("d.csv", ("\r\n".join(lines) + "\r\n").encode())


@pytest.mark.requires_postgres(
    "the batch writes are PostgreSQL's (UPDATE ... FROM unnest); elsewhere one UPDATE per row"
)
def test_upload_queries_do_not_grow_with_rows(case_in, liaison, client_for):
    client = client_for(liaison)

    def count(n):
        cases = [case_in(S.UNDER_PLATFORM_REVIEW, items=2) for _ in range(n)]
        with CaptureQueriesContext(connection) as captured:
            response = client.post(ADD, {"file": _sheet(cases)}, follow=True)
        outcomes = {row["outcome"] for row in response.context["rows"]}
        assert outcomes == {"changed"}, response.context["rows"]
        assert set(
            TakedownCase.objects.filter(pk__in=[c.pk for c in cases]).values_list(
                "state", flat=True
            )
        ) == {S.REMOVED, S.ALREADY_UNAVAILABLE}
        return len(captured)

    assert count(3) == count(25)


@pytest.mark.requires_postgres(
    "the batch writes are PostgreSQL's (UPDATE ... FROM unnest, COPY); elsewhere one per row"
)
def test_ten_or_a_hundred_rows_cost_the_same_queries_implied_steps_too(
    case_in, liaison, client_for
):
    """Issue 23: cases under review and forwarded cases (whose decision passes through the
    platform's review, a step of its own) are read, locked and written a batch at a time."""
    client = client_for(liaison)

    def count(n):
        cases = [
            case_in(S.FORWARDED if k % 2 else S.UNDER_PLATFORM_REVIEW, items=2) for k in range(n)
        ]
        with CaptureQueriesContext(connection) as captured:
            response = client.post(ADD, {"file": _sheet(cases)}, follow=True)
        outcomes = {row["outcome"] for row in response.context["rows"]}
        assert outcomes == {"changed"}, response.context["rows"]
        for k, case in enumerate(cases):
            steps = list(
                case.events.filter(item=None).order_by("-id").values_list("from_state", "to_state")
            )
            decided = S.REMOVED if k % 2 else S.ALREADY_UNAVAILABLE
            assert steps[0] == (S.UNDER_PLATFORM_REVIEW, decided)
            if k % 2:  # forwarded: the review step came first, in the liaison's name
                assert steps[1] == (S.FORWARDED, S.UNDER_PLATFORM_REVIEW)
                review = case.history.filter(state=S.UNDER_PLATFORM_REVIEW).latest()
                assert review.history_user == liaison
            assert case.items.filter(outcome=decided).count() == 2
        return len(captured)

    assert count(10) == count(100)
