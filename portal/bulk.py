"""Insert many new rows with PostgreSQL's ``COPY``: what ``bulk_create`` does, faster.

``bulk_create`` builds one ``INSERT`` whose every value Django compiles and psycopg adapts in
Python; ``COPY ... FROM STDIN`` streams the same values as rows, which is several times quicker
for the thousands of rows an import job writes per chunk.
"""

from __future__ import annotations

import datetime
from operator import attrgetter

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone

# Stock fields whose database value is the Python value itself, for these exact types.
_WRITTEN_AS_IS = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.IntegerField: (int,),
    models.BooleanField: (bool,),
    models.DateField: (datetime.date,),
    models.DateTimeField: (datetime.datetime,),
}
_PREP_METHODS = ("get_prep_value", "get_db_prep_value", "get_db_prep_save")


def _types_written_as_is(field) -> tuple:
    """The value types ``field.get_db_prep_save`` would return unchanged, or () to always call it."""
    if isinstance(field, models.ForeignKey):
        target = field.target_field
        if type(field).get_db_prep_save is not models.ForeignKey.get_db_prep_save:
            return ()
        if isinstance(target, models.AutoField | models.BigAutoField | models.SmallAutoField):
            return (int,)
        return _types_written_as_is(target)
    for base, types in _WRITTEN_AS_IS.items():
        if isinstance(field, base) and all(
            getattr(type(field), name) is getattr(base, name) for name in _PREP_METHODS
        ):
            return types
    return ()


def _reads_attribute(field) -> bool:
    """True when ``field.pre_save(obj, add=True)`` just reads the attribute."""
    pre_save = type(field).pre_save
    if pre_save is models.Field.pre_save:
        return True
    return pre_save in (models.DateField.pre_save, models.DateTimeField.pre_save) and not (
        field.auto_now or field.auto_now_add
    )


def _db_value(field, value, types, connection):
    if value is None:
        return None
    kind = type(value)
    if kind in types and (kind is not datetime.datetime or value.tzinfo is not None):
        return value  # a naive datetime goes through Django, which warns and makes it aware
    return field.get_db_prep_save(value, connection)


def copy_insert(model, objs: list, *, using: str = DEFAULT_DB_ALIAS) -> list:
    """Insert ``objs`` (new instances of ``model``) as ``bulk_create(objs)`` would.

    No ``save()`` and no signals; each field's ``pre_save`` and ``get_db_prep_save`` give the value
    written; primary keys come from the table's sequence and are set on the instances. Other
    databases, and rows with a database-side default still to compute, go through ``bulk_create``.
    """
    connection = connections[using]
    if not objs:
        return objs
    opts = model._meta
    fields = [field for field in opts.concrete_fields if not field.generated]
    readers = [
        attrgetter(field.attname)
        if _reads_attribute(field)
        else (lambda obj, f=field: f.pre_save(obj, True))
        for field in fields
    ]
    rows = [[read(obj) for read in readers] for obj in objs]
    if connection.vendor != "postgresql" or any(
        hasattr(value, "resolve_expression") for row in rows for value in row
    ):
        return model._base_manager.using(using).bulk_create(objs)
    pk_index = fields.index(opts.pk)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        missing = [index for index, row in enumerate(rows) if row[pk_index] is None]
        if missing:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, opts.pk.column, len(missing)],
            )
            for index, (value,) in zip(missing, cursor.fetchall(), strict=True):
                rows[index][pk_index] = value
                setattr(objs[index], opts.pk.attname, value)
        columns = ", ".join(quote(field.column) for field in fields)
        statement = f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN"
        plan = [(field, _types_written_as_is(field)) for field in fields]
        with cursor.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        _db_value(field, value, types, connection)
                        for (field, types), value in zip(plan, row, strict=True)
                    ]
                )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using
    return objs


def copy_insert_with_history(model, objs: list, *, user=None, change_reason: str = "") -> list:
    """``copy_insert`` plus each row's "created" audit history record, as simple-history's
    ``bulk_create_with_history`` writes it (same user, change reason, date and tracked fields)."""
    from simple_history.utils import get_change_reason_from_object

    copy_insert(model, objs)
    history = model._meta.simple_history_manager_attribute
    historical_model = getattr(model, history).model
    now = timezone.now()
    records = []
    for obj in objs:
        record = historical_model(
            history_date=getattr(obj, "_history_date", now),
            history_user=getattr(obj, "_history_user", user),
            history_change_reason=get_change_reason_from_object(obj) or change_reason,
            history_type="+",
            **{
                field.attname: getattr(obj, field.attname)
                for field in historical_model.tracked_fields
            },
        )
        if hasattr(historical_model, "history_relation"):
            record.history_relation_id = obj.pk
        records.append(record)
    copy_insert(historical_model, records)
    return objs
