"""The database holds what the models declare: a migration that alters a field may drop an index
or a constraint as a side effect (taking ``db_index`` off a field drops every single-column index
of its column, a unique constraint's too), and nothing else would notice."""

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db


def test_every_declared_index_and_constraint_is_in_the_database():
    missing = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if not model._meta.managed or model._meta.proxy:
                continue
            found = connection.introspection.get_constraints(cursor, model._meta.db_table)
            declared = [*model._meta.indexes, *model._meta.constraints]
            missing += [
                f"{model._meta.label}: {item.name}" for item in declared if item.name not in found
            ]
    assert not missing
