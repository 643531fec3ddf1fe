"""Issue 23, point 1: every row error names its column, whatever the cell and the column.

For every model the admin imports, each column of its own export in turn gets a value that a
column may refuse (a word, a number past 64 bits, a Buddhist-era date as Thai offices type it,
a negative number). Whatever the engine makes of it, nothing crashes and every error of that
row names the file's column: before, a bad cell in the column rows are found by (a holiday's
date) was an error with no column.
"""

import pytest
import tablib
from django.db import transaction

from portal.engine import FileImporter
from tests.portal.test_one_engine import demo_data, exported_rows, importable_admins  # noqa: F401

pytestmark = pytest.mark.django_db

CELLS = ("✗ not a value", "99999999999999999999", "31/13/2567", "-1")


def test_every_bad_cell_is_reported_under_its_column(demo_data, admin_user):  # noqa: F811
    unnamed = []
    refused = 0
    for model_admin in importable_admins():
        headers, rows = exported_rows(model_admin)
        for at, column in enumerate(headers):
            for cell in CELLS:
                changed = [list(row) for row in rows]
                changed[1][at] = cell
                resource = model_admin.resource_classes[0]()
                with transaction.atomic():
                    outcome = FileImporter(
                        resource, tablib.Dataset(*changed, headers=headers), user=admin_user
                    ).run(write=False)
                    transaction.set_rollback(True)
                refused += not outcome.ok
                unnamed += [
                    (model_admin.model.__name__, column, cell, problem.reason)
                    for problem in outcome.errors
                    if not problem.column and problem.row == 3
                ]
    assert refused > 100  # the cells are refused often enough for the check to mean something
    assert not unnamed, unnamed[:10]
