"""Trigram indexes so the admin's substring searches (part of a URL, a handle, a title) use an
index instead of scanning millions of rows. PostgreSQL only; other databases skip this."""

from django.db import migrations

INDEXES = [
    (
        "td_item_url_trgm",
        "CREATE INDEX IF NOT EXISTS td_item_url_trgm ON takedowns_infringingitem "
        "USING gin ((UPPER(normalized_url::text)) gin_trgm_ops)",
    ),
    (
        "td_item_handle_trgm",
        "CREATE INDEX IF NOT EXISTS td_item_handle_trgm ON takedowns_infringingitem "
        "USING gin (seller_handle gin_trgm_ops)",
    ),
    (
        "td_case_title_trgm",
        "CREATE INDEX IF NOT EXISTS td_case_title_trgm ON takedowns_takedowncase "
        "USING gin ((UPPER(title::text)) gin_trgm_ops)",
    ),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for _name, sql in INDEXES:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _sql in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("takedowns", "0003_item_seller")]

    operations = [migrations.RunPython(create, drop)]
