"""Property-based run of the whole API against its own OpenAPI schema (schemathesis, in-process).

The schema is fetched from ``/api/schema/`` through the WSGI app, then every operation gets a
bounded number of generated requests (valid and invalid); every response must be a non-5xx that
matches the schema: status code, content type, headers and body.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from takedowns.choices import CaseState as S

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 30


# serialized_rollback: its flush must not recreate the role groups that the next serialized
# transactional tests (browser, faults) restore with their original ids.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_api_conforms_to_its_schema(case_in, liaison, token_for, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "100000/minute"},
    }
    case_in(S.UNDER_PLATFORM_REVIEW, items=2)
    case_in(S.REMOVED)
    case_in(S.DRAFT)
    auth = {"Authorization": f"Token {token_for(liaison)}"}
    api = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", get_wsgi_application(), headers=auth
    )
    failures, operations = {}, 0
    for result in api.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(headers=auth, checks=CHECKS)

        try:
            run()
        except Exception as error:  # collect every operation's failure, then report them all
            failures[operation.label] = error
    assert operations >= 6
    assert not failures, "\n\n".join(f"{label}:\n{error}" for label, error in failures.items())
