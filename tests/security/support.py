"""Helpers shared by the trust tests (security, faults, browser, properties)."""

import pytest
from django.apps import apps
from django.db import connection


@pytest.fixture(scope="session")
def _drop_swapped_out_tables(django_db_setup, django_db_blocker):
    """A third-party migration may create the table of a model the project swapped out (knox's
    AuthToken when KNOX_TOKEN_MODEL is set). Nothing uses it, but its foreign key to auth_user makes
    the flush after a transactional test fail; drop it from the test database."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for model in apps.get_models(include_swapped=True):
            if model._meta.swapped:
                table = connection.ops.quote_name(model._meta.db_table)
                cascade = " CASCADE" if connection.vendor == "postgresql" else ""
                cursor.execute(f"DROP TABLE IF EXISTS {table}{cascade}")
