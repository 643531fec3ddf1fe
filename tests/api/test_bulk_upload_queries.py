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
