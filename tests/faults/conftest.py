import json
from pathlib import Path

import pytest

from tests.faults.workers import private_redis  # noqa: F401  (a Redis of the test's own)
from tests.jobs.conftest import workstream  # noqa: F401
from tests.security.support import _drop_swapped_out_tables  # noqa: F401
from tests.takedowns.conftest import holder, right  # noqa: F401  (a rights holder and a right)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "faults"


@pytest.fixture
def record_fault(request):
    """Count each fault a test injects (figures for the issue's closing note)."""
    count = {"faults": 0}

    def record(n=1):
        count["faults"] += n

    yield record
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = request.node.name.replace("/", "_")
    (ARTIFACTS / f"{name}.json").write_text(json.dumps(count))
