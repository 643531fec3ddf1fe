"""Insert many new rows with PostgreSQL's ``COPY``: what ``bulk_create`` does, faster.

``bulk_create`` builds one ``INSERT`` whose every value Django compiles and psycopg adapts in
Python; ``COPY ... FROM STDIN`` streams the same values as rows, which is several times quicker
for the thousands of rows an import job writes per chunk.

Inside ``copies_in_background()`` the ``COPY`` statements (and the history records made from
the copied rows, ``history_insert_from_table``) are sent by a thread while the caller goes on with
work that needs no database (an import checks its next chunk meanwhile): the database stores one
chunk, checking its foreign keys as it goes, while Python checks the next.

That thread needs the interpreter only for moments (to format a buffer of rows, to pick up the
database's answer), but between them the checking thread holds it: for as long as the process's
switch interval (5 ms by default) each time, while the database waits for rows. The block lowers
the interval (``_prompt_switches``), so the copies keep the database busy.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from operator import attrgetter, itemgetter, methodcaller

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, router
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.lookups import In
from django.db.models.query_utils import DeferredAttribute
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


def _stock_file_field(field) -> bool:
    """A ``FileField`` that stores its file's name as Django's does."""
    return (
        isinstance(field, models.FileField)
        and type(field).pre_save is models.FileField.pre_save
        and type(field).get_prep_value is models.FileField.get_prep_value
        and all(
            getattr(type(field), name) is getattr(models.Field, name)
            for name in ("get_db_prep_value", "get_db_prep_save")
        )
    )


def _types_written_as_is(field) -> tuple:
    """The value types ``field.get_db_prep_save`` would return unchanged, or () to always call it."""
    if _stock_file_field(field):
        return (str,)  # a file's name (a file object goes through Django)
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


def _any_text_as_is(field, types: tuple) -> bool:
    """A stock text column: Django writes any ``str`` as it is, a subclass too (a choice's enum
    member, such as every new case's state)."""
    return types == (str,) and isinstance(field, models.CharField | models.TextField)


def _converter(field, connection):
    """A function giving ``field.get_db_prep_save(value)``, skipping it for stock values."""
    types = _types_written_as_is(field)
    any_text = _any_text_as_is(field, types)

    def convert(value):
        if value is None:
            return None
        kind = type(value)
        if kind in types and (kind is not datetime.datetime or value.tzinfo is not None):
            return value  # a naive datetime goes through Django, which warns and makes it aware
        if any_text and isinstance(value, str):
            return value
        if hasattr(value, "resolve_expression"):
            raise TypeError(f"COPY cannot write an expression ({field.name}={value!r})")
        return field.get_db_prep_save(value, connection)

    return convert


def db_values(field, values, connection) -> list:
    """``field.get_db_prep_save`` of each of ``values`` (a column of a bulk write), skipping the
    call for the stock values it would return unchanged: a column of those is returned as it is,
    checked by type in one pass."""
    types = _types_written_as_is(field)
    if types:
        kinds = set(map(type, values))
        kinds.discard(type(None))
        if _any_text_as_is(field, types) and all(issubclass(kind, str) for kind in kinds):
            return values
        if kinds.issubset(types) and (
            datetime.datetime not in kinds
            or all(value.tzinfo is not None for value in values if value is not None)
        ):
            return values
    return list(map(_converter(field, connection), values))


def binary_parameters_cursor(connection):
    """A cursor of the PostgreSQL ``connection`` that sends a ``%b`` parameter apart from the
    statement, in binary, wrapped as Django wraps its own cursors (query logging, execute
    wrappers, database errors). Django's cursors write every parameter into the statement as
    quoted text in Python: an array of 1,000 values costs about three times as much that way.
    (Django's ``prepare_threshold``, None unless configured, keeps it from preparing statements.)
    """
    import psycopg

    connection.ensure_connection()
    cursor = psycopg.Cursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


class InArray(models.Lookup):
    """``lhs IN values`` for thousands of values, as a filter expression:
    ``queryset.filter(InArray(F("pk"), ids))``. On PostgreSQL, ``lhs = ANY(%s)`` with the values
    as one array parameter; Django's ``__in`` compiles, checks and adapts each value as a
    parameter of its own (a quarter of the time a 10,000-row decision sheet spends reading its
    cases). Elsewhere, ``__in``."""

    lookup_name = "in_array"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return In(self.lhs, self.rhs).as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)

    def get_db_prep_lookup(self, value, connection):
        return "%s", [list(value)]


def _next_ids(cursor, opts, count: int) -> list[int]:
    """``count`` new primary keys from the table's sequence. Inside ``copies_in_background``,
    while the transaction's connection still stores earlier copies, they are taken on a
    connection of the block's own (``nextval`` is not transactional: any connection gets the
    same kind of numbers, never given twice), so the rows to copy next are ready without
    waiting for that store."""
    if not count:
        return []
    background = _background.get()
    if background is not None and background.connection is cursor.db and background.busy():
        ids = background.next_ids(opts, count)
        if ids is not None:
            return ids
    return _sequence_values(cursor, opts, count)


def _sequence_values(cursor, opts, count: int) -> list[int]:
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [opts.db_table, opts.pk.column, count],
    )
    return [value for (value,) in cursor.fetchall()]


class _BackgroundCopies:
    """The ``COPY`` statements of one transaction (and the statements that must follow them,
    ``execute``), sent in order by one thread on the transaction's own connection. The
    connection carries one statement at a time: any other query of the caller's
    (``execute_wrapper``) and the end of the block first wait for the copies sent so far, and a
    copy's error is raised there, in the caller's thread."""

    def __init__(self, connection):
        self.connection = connection
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy")
        self.sent: list[Future] = []
        self.deferred_constraints: dict[str, str] = {}  # table -> "name", ... (copy thread)
        self.numbering = None  # a connection of its own for sequence values (False: none to be had)

    def send(self, table: str, statement: str, rows: list) -> None:
        raw = self.connection.connection  # the DB-API connection under Django's wrapper

        def copy() -> None:
            with raw.cursor() as cursor:
                constraints = self._deferred_constraints_of(cursor, table)
                if constraints:
                    cursor.execute(f"SET CONSTRAINTS {constraints} IMMEDIATE")
                with cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
                if constraints:
                    cursor.execute(f"SET CONSTRAINTS {constraints} DEFERRED")

        self.sent.append(self.executor.submit(copy))

    def execute(self, statement: str, params: list) -> None:
        raw = self.connection.connection

        def execute() -> None:
            with raw.cursor() as cursor:
                cursor.execute(statement, params)

        self.sent.append(self.executor.submit(execute))

    def _deferred_constraints_of(self, cursor, table: str) -> str:
        """The table's deferred constraints (Django's foreign keys are), quoted for SET
        CONSTRAINTS. They are checked as the copy stores each row, on the database's side while
        Python goes on, rather than all together when the transaction commits."""
        if table not in self.deferred_constraints:
            cursor.execute(
                "SELECT quote_ident(conname) FROM pg_constraint"
                " WHERE conrelid = %s::regclass AND condeferred",
                [table],
            )
            self.deferred_constraints[table] = ", ".join(name for (name,) in cursor.fetchall())
        return self.deferred_constraints[table]

    def busy(self) -> bool:
        """Some statement sent is not done yet: a query now would wait for it."""
        return not all(future.done() for future in self.sent)

    def next_ids(self, opts, count: int) -> list[int] | None:
        """Ids from the table's sequence on the block's own connection; None when it cannot be
        had (the server at its connection limit, say): the caller then asks on the
        transaction's connection, after the store."""
        if self.numbering is False:
            return None
        try:
            if self.numbering is None:
                self.numbering = connections.create_connection(self.connection.alias)
            with self.numbering.cursor() as cursor:  # autocommit: each call its own transaction
                return _sequence_values(cursor, opts, count)
        except DatabaseError:
            self._close_numbering()
            self.numbering = False
            return None

    def _close_numbering(self) -> None:
        if self.numbering:
            self.numbering.close()

    def close(self) -> None:
        self.executor.shutdown()
        self._close_numbering()

    def wait(self) -> None:
        sent, self.sent = self.sent, []
        for future in sent:
            error = future.exception()
            if error is not None:
                for later in sent:
                    later.exception()  # the connection is free again before the error is raised
                with self.connection.wrap_database_errors:
                    raise error

    def before_query(self, execute, sql, params, many, context):
        self.wait()
        return execute(sql, params, many, context)


_background: contextvars.ContextVar[_BackgroundCopies | None] = contextvars.ContextVar(
    "background_copies", default=None
)


#: The switch interval while copies run in the background (seconds): measured on the bench's
#: 100,000-case import, alternated in one process, 0.5 ms against the default 5 ms gave
#: 5-8 % more rows per second; the checking thread's own work is unchanged.
COPY_SWITCH_INTERVAL = 0.0005


class _PromptSwitches:
    """The interpreter's switch interval lowered while any block in the process needs it, and
    put back as it was when the last one ends (it is one setting for the whole process)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.blocks = 0
        self.interval_before = 0.0

    @contextlib.contextmanager
    def __call__(self):
        with self.lock:
            if self.blocks == 0:
                self.interval_before = sys.getswitchinterval()
                sys.setswitchinterval(min(self.interval_before, COPY_SWITCH_INTERVAL))
            self.blocks += 1
        try:
            yield
        finally:
            with self.lock:
                self.blocks -= 1
                if self.blocks == 0:
                    sys.setswitchinterval(self.interval_before)


_prompt_switches = _PromptSwitches()


@contextlib.contextmanager
def copies_in_background(using: str = DEFAULT_DB_ALIAS):
    """Within the block, the ``COPY`` of this module's inserts (and the history made from the
    copied rows) is sent by a thread; the block ends once every copy is stored (a copy's error is
    raised by the query that follows it or by the block's end). Use it inside the transaction:
    its end must not come first."""
    connection = connections[using]
    if connection.vendor != "postgresql" or _background.get() is not None:
        yield
        return
    copies = _BackgroundCopies(connection)
    token = _background.set(copies)
    try:
        with _prompt_switches(), connection.execute_wrapper(copies.before_query):
            yield
            copies.wait()
    finally:
        _background.reset(token)
        for future in copies.sent:  # an error left the block early: let the copies finish
            future.exception()
        copies.close()


def _copy(cursor, opts, fields, rows) -> None:
    quote = cursor.db.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    table = quote(opts.db_table)
    statement = f"COPY {table} ({columns}) FROM STDIN"
    background = _background.get()
    if background is not None and background.connection is cursor.db:
        background.send(table, statement, list(rows))
        return
    with cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def _column(field, items: list, *, from_dicts: bool, stored: list | None = None) -> list:
    """The values ``field`` writes for ``items`` (instances, or dicts of attname → value), as
    ``pre_save`` gives them or the field's default for a dict that leaves it out. ``stored``:
    the instances' ``__dict__``, where a plain field's value is read without its descriptor (a
    foreign key's id descriptor is a Python call per row)."""
    attname = field.attname
    if not from_dicts:
        if _reads_attribute(field):
            if stored is not None and field.descriptor_class in _READ_AS_STORED:
                try:
                    return list(map(itemgetter(attname), stored))
                except KeyError:  # left out when the row was loaded: read (and loaded) as usual
                    pass
            return list(map(attrgetter(attname), items))
        if _stock_file_field(field):
            # a file's name as the row holds it is what is written (reading the attribute makes
            # a file object of it first); a file not yet stored is stored by pre_save
            return [
                name
                if type(name := obj.__dict__.get(attname)) is str
                else field.pre_save(obj, True)
                for obj in items
            ]
        return [field.pre_save(obj, True) for obj in items]
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return [timezone.now() for _values in items]
    if field.has_default() and callable(field.default):
        return [values[attname] if attname in values else field.get_default() for values in items]
    default = field.get_default()  # the same value for every row: worked out once
    return list(map(methodcaller("get", attname, default), items))


#: Descriptors that give an instance's value as its ``__dict__`` holds it, when it holds it.
_READ_AS_STORED = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _numbered_by_database(field) -> bool:
    """An automatic primary key: the database numbers a row written without it."""
    return isinstance(field, models.AutoField | models.BigAutoField | models.SmallAutoField)


def _insert(model, items: list, connection, *, from_dicts: bool = False):
    """Write ``items`` (instances, or dicts of attname → value) with COPY; returns (fields, each
    field's database values), or None when the model has a default the database computes.

    The values are read and converted a column at a time. Instances get their primary keys from
    the table's sequence first (the caller needs them); rows given as values that name no
    primary key are numbered by the database as it stores them.
    """
    opts = model._meta
    fields = [field for field in opts.concrete_fields if not field.generated]
    if any(field.has_db_default() for field in fields):
        return None
    if (
        from_dicts
        and _numbered_by_database(opts.pk)
        and not any(opts.pk.attname in values for values in items)
    ):
        fields.remove(opts.pk)
    stored = None if from_dicts else [obj.__dict__ for obj in items]
    columns = [
        db_values(field, _column(field, items, from_dicts=from_dicts, stored=stored), connection)
        for field in fields
    ]
    with connection.cursor() as cursor:
        if opts.pk in fields:
            position = fields.index(opts.pk)
            columns[position] = _numbered(cursor, opts, items, columns[position], from_dicts)
        _copy(cursor, opts, fields, list(zip(*columns, strict=True)))
    if not from_dicts:
        for obj in items:
            obj._state.adding = False
            obj._state.db = connection.alias
    return fields, columns


def _numbered(cursor, opts, items: list, pks: list, from_dicts: bool) -> list:
    """``pks`` with each missing primary key taken from the table's sequence (and set on its
    instance)."""
    missing = [index for index, pk in enumerate(pks) if pk is None]
    if not missing:
        return pks
    pks = list(pks)
    for index, pk in zip(missing, _next_ids(cursor, opts, len(missing)), strict=True):
        pks[index] = pk
        if not from_dicts:
            setattr(items[index], opts.pk.attname, pk)
    return pks


def copy_insert_values(model, rows: list[dict], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Insert rows given as ``{attname: value}`` (other fields take their defaults) without making
    model instances; elsewhere than PostgreSQL, as instances through ``bulk_create``."""
    connection = connections[using]
    if not rows:
        return
    if (
        connection.vendor != "postgresql"
        or _insert(model, rows, connection, from_dicts=True) is None
    ):
        model._base_manager.using(using).bulk_create([model(**values) for values in rows])


def copy_insert_with_history(
    model, objs: list, *, user=None, change_reason: str = "", using: str = DEFAULT_DB_ALIAS
) -> list:
    """Insert ``objs`` (new instances of ``model``) and each one's "created" audit history record
    as simple-history's ``bulk_create_with_history`` would (same user, change reason, date and
    tracked fields; the record's values are the row's own, already converted).

    No ``save()`` and no signals; each field's ``pre_save`` and ``get_db_prep_save`` give the value
    written; the instances' primary keys come from the table's sequence and are set on them, the
    records are numbered by the database. Other
    databases, and models with database-side defaults, go through ``bulk_create_with_history``.
    """
    from simple_history.utils import bulk_create_with_history, get_change_reason_from_object

    if not objs:
        return objs
    connection = connections[using]
    written = _insert(model, objs, connection) if connection.vendor == "postgresql" else None
    if written is None:
        bulk_create_with_history(
            objs, model, default_user=user, default_change_reason=change_reason
        )
        return objs
    fields, columns = written
    if not any(hasattr(obj, name) for obj in objs for name in _OWN_HISTORY_VALUES):
        written = history_insert_from_table(
            model,
            [obj.pk for obj in objs],
            user=user,
            change_reason=change_reason,
            history_type="+",
            using=using,
        )
        if written:
            return objs
    historical_model = getattr(model, model._meta.simple_history_manager_attribute).model
    opts = historical_model._meta
    history_fields = [field for field in opts.concrete_fields if not field.generated]
    if _numbered_by_database(opts.pk):
        history_fields.remove(opts.pk)  # the records are numbered as they are stored
    column_of = {field.attname: column for field, column in zip(fields, columns, strict=True)}
    now = timezone.now()
    count = len(objs)
    users = [getattr(obj, "_history_user", user) for obj in objs]
    extra = {
        "history_date": [getattr(obj, "_history_date", now) for obj in objs],
        "history_user_id": [getattr(history_user, "pk", None) for history_user in users],
        "history_change_reason": [
            get_change_reason_from_object(obj) or change_reason for obj in objs
        ],
        "history_type": ["+"] * count,
        "history_relation_id": [obj.pk for obj in objs],
    }
    with connection.cursor() as cursor:
        if opts.pk in history_fields:
            extra[opts.pk.attname] = _next_ids(cursor, opts, count)
        records = [
            column_of[field.attname] if field.attname in column_of else extra[field.attname]
            for field in history_fields
        ]
        _copy(cursor, opts, history_fields, list(zip(*records, strict=True)))
    return objs


def update_rows(model, fields: list[str], rows: list[tuple], *, guard: tuple[str, ...] = ()) -> int:
    """A conditional bulk UPDATE: each row is ``(pk, *expected values of guard, *new values of
    fields)``; a row is written only if its guard columns still hold the expected values.
    Returns how many rows were written.

    On PostgreSQL one ``UPDATE ... FROM unnest(<one array per column>)`` joined on the pk and the
    guard (Django's ``bulk_update`` builds a CASE per field and row, which is what made a
    10,000-row sheet slow); elsewhere (the SQLite quick start) one conditional ``update()`` per
    row.
    """
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    n_guard = len(guard)
    if connection.vendor != "postgresql":
        written = 0
        for row in rows:
            where = {"pk": row[0], **dict(zip(guard, row[1 : 1 + n_guard], strict=True))}
            values = dict(zip(fields, row[1 + n_guard :], strict=True))
            written += model._base_manager.filter(**where).update(**values)
        return written
    opts = model._meta
    columns = [opts.pk, *(opts.get_field(n) for n in guard), *(opts.get_field(n) for n in fields)]
    quote = connection.ops.quote_name
    aliases = [f"c{i}" for i in range(len(columns))]
    # One array per column (unnest): a handful of parameters whatever the number of rows, sent
    # in binary (``%b``).
    arrays = ", ".join(f"CAST(%b AS {f.db_type(connection)}[])" for f in columns)
    params = [db_values(f, [row[i] for row in rows], connection) for i, f in enumerate(columns)]
    settings_sql = ", ".join(
        f"{quote(f.column)} = v.{alias}"
        for f, alias in zip(columns[1 + n_guard :], aliases[1 + n_guard :], strict=True)
    )
    where_sql = " AND ".join(
        f"t.{quote(f.column)} = v.{alias}"
        for f, alias in zip(columns[: 1 + n_guard], aliases[: 1 + n_guard], strict=True)
    )
    sql = (
        f"UPDATE {quote(opts.db_table)} AS t SET {settings_sql} "
        f"FROM unnest({arrays}) AS v({', '.join(aliases)}) WHERE {where_sql}"
    )
    with binary_parameters_cursor(connection) as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


#: Field types an ``UPDATE ... FROM unnest(...)`` sends as one array per column, whatever the
#: model: scalar values, whose arrays PostgreSQL takes in binary.
_SENT_AS_ARRAY = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateField,
    models.DecimalField,
    models.FloatField,
    models.UUIDField,
)


def _sent_as_array(field) -> bool:
    if isinstance(field, models.ForeignKey):
        return _sent_as_array(field.target_field)
    return isinstance(field, _SENT_AS_ARRAY)


def update_with_history(
    model, objs: list, fields: list[str], *, user=None, change_reason: str = ""
) -> bool:
    """``fields`` of ``objs`` (changed instances of ``model``) written with ``update_rows``, and
    a "changed" audit-history record of each made by the database from the row as stored
    (``history_insert_from_table``): what simple-history's ``bulk_update_with_history`` writes
    (same user, change reason and date), without Django's CASE per field and row or a history
    object per row. False, writing nothing, elsewhere than PostgreSQL, for a history model with
    columns of its own, a field of another type than ``_SENT_AS_ARRAY``'s or an instance that
    carries its own history values."""
    connection = connections[router.db_for_write(model)]
    opts = model._meta
    written = [opts.get_field(name) for name in fields]
    if (
        connection.vendor != "postgresql"
        or not _history_made_from_table(model)
        or not all(map(_sent_as_array, [opts.pk, *written]))
        or any(hasattr(obj, name) for obj in objs for name in _OWN_HISTORY_VALUES)
    ):
        return False
    rows = [(obj.pk, *(getattr(obj, field.attname) for field in written)) for obj in objs]
    update_rows(model, fields, rows)
    pks = [obj.pk for obj in objs]
    history_insert_from_table(
        model, pks, user=user, change_reason=change_reason, using=connection.alias
    )
    return True


#: What an instance may carry for its own history record (simple-history reads them).
_OWN_HISTORY_VALUES = ("_history_user", "_history_date", "_change_reason")
#: The columns simple-history adds to the tracked ones (besides its primary key).
_HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")


def history_insert_from_table(
    model,
    pks: list,
    *,
    user=None,
    change_reason: str = "",
    history_type: str = "~",
    using: str = DEFAULT_DB_ALIAS,
) -> bool:
    """One audit-history record of ``history_type`` ("+" created, "~" changed) for each row
    ``pks`` of ``model`` as the table holds it now, in ``user``'s name, made by the database:
    one ``INSERT ... SELECT`` per thousand rows, no Python object per row (sent after the
    copies in progress inside ``copies_in_background``). False, writing nothing, elsewhere than
    PostgreSQL or when the history model has columns of its own."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not _history_made_from_table(model):
        return False
    history = getattr(model, model._meta.simple_history_manager_attribute).model
    tracked = [f.column for f in history.tracked_fields]
    if not pks:
        return True
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in tracked)
    statement = (
        f"INSERT INTO {quote(history._meta.db_table)} ({columns}, "
        f"{', '.join(_HISTORY_COLUMNS)}) SELECT {columns}, %s, %s, %s, %s "
        f"FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} = ANY(%s)"
    )
    now = timezone.now()
    for start in range(0, len(pks), 1000):
        params = [now, change_reason and change_reason[:100], history_type]
        params += [getattr(user, "pk", None), pks[start : start + 1000]]
        execute_in_order(statement, params, using=using)
    return True


def execute_in_order(statement: str, params: list, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Run a statement whose answer the caller does not read: inside ``copies_in_background`` it
    is sent after the copies in progress and the caller goes on (an error is raised by the next
    query or the block's end); elsewhere it runs now."""
    connection = connections[using]
    background = _background.get()
    if background is not None and background.connection is connection:
        background.execute(statement, params)
        return
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _history_made_from_table(model) -> bool:
    """The history model's columns are the tracked ones and simple-history's own: a record can
    be made from the row as stored (``history_insert_from_table``)."""
    history = getattr(model, model._meta.simple_history_manager_attribute).model
    tracked = {f.column for f in history.tracked_fields}
    own = {f.column for f in history._meta.concrete_fields} - {history._meta.pk.column}
    return own == {*tracked, *_HISTORY_COLUMNS}
