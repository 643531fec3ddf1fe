"""Timestamps read from PostgreSQL: psycopg's C parser under Django's rule
(``portal.internals.timestamptz_loader_in_c``), the values Django's own loader gives."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import DataError, connection
from django.db.backends.postgresql.psycopg_any import BaseTzLoader

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.requires_postgres("the loader is psycopg's; SQLite stores text"),
]

STORED = [
    "2026-12-06 23:59:59.999999+07",
    "2026-03-08 02:30:00-05",
    "1970-01-01 00:00:00+00",
    "0001-01-01 00:00:00+00",
    "9999-12-31 23:59:59.5+00",
    "2569-01-01 12:00:00+07",  # a Buddhist-era year typed in by mistake, stored as is
    None,
]
SQL = "SELECT CAST(v AS timestamptz) FROM unnest(CAST(%s AS text[])) WITH ORDINALITY AS t(v, n) ORDER BY n"


def _timestamptz_loader(cursor):
    from psycopg import adapters
    from psycopg.pq import Format

    return cursor.cursor.adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)


def test_timestamps_read_in_c_are_those_django_s_loader_reads():
    with connection.cursor() as cursor:
        ours = _timestamptz_loader(cursor)
        assert ours.__module__ == "portal.internals"  # Django's create_cursor kept it
        assert ours.timezone is datetime.UTC
        cursor.execute(SQL, [STORED])
        read = [value for (value,) in cursor.fetchall()]
        djangos = type("SpecificTzLoader", (BaseTzLoader,), {"timezone": ours.timezone})
        cursor.cursor.adapters.register_loader("timestamptz", djangos)
        cursor.execute(SQL, [STORED])
        expected = [value for (value,) in cursor.fetchall()]
    assert read == expected
    assert [v and v.tzinfo for v in read] == [v and v.tzinfo for v in expected]
    assert read[0] == datetime.datetime(2026, 12, 6, 16, 59, 59, 999999, tzinfo=datetime.UTC)


def test_a_timestamp_python_cannot_hold_is_a_database_error_as_with_django_s_loader():
    with pytest.raises(DataError), connection.cursor() as cursor:
        cursor.execute("SELECT CAST('infinity' AS timestamptz)")
        cursor.fetchone()


def test_models_read_their_times_through_it():
    joined = datetime.datetime(2026, 12, 6, 23, 30, 15, 123456, tzinfo=datetime.UTC)
    user = get_user_model().objects.create(username="เวลา", date_joined=joined)
    stored = get_user_model().objects.get(pk=user.pk).date_joined
    assert stored == joined and stored.tzinfo is datetime.UTC
