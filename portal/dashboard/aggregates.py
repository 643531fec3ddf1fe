"""Database expressions the dashboard needs that Django does not ship (PostgreSQL, SQLite)."""

import json
import math

from django.db import connection
from django.db.models import Aggregate, FloatField, Func, IntegerField, QuerySet


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)``."""

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        fraction = float(fraction)
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=repr(fraction), **extra)


class SecondsBetween(Func):
    """``end - start`` (two datetimes) in seconds, as a float."""

    output_field = FloatField()
    arity = 2

    def __init__(self, start, end, **extra):
        super().__init__(end, start, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))::double precision",
            arg_joiner=" - ",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        # Julian days are fractional days.
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )


class DurationSeconds(Func):
    """A DurationField's value in seconds, as a float (SQLite stores microseconds)."""

    output_field = FloatField()
    arity = 1

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM %(expressions)s)::double precision",
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s / 1000000.0)", **extra)


def percentiles(queryset: QuerySet, expression, fractions: tuple[float, ...]) -> list[float | None]:
    """Continuous percentiles of ``expression`` over ``queryset``, computed by the database.

    PostgreSQL: one query with ``percentile_cont``. Elsewhere (SQLite): a count and, per fraction,
    one ordered query for the two neighbouring values, interpolated like ``percentile_cont``.
    """
    if connection.vendor == "postgresql":
        result = queryset.aggregate(
            **{f"p{i}": PercentileCont(expression, f) for i, f in enumerate(fractions)}
        )
        return [result[f"p{i}"] for i in range(len(fractions))]
    annotated = queryset.annotate(_value=expression).filter(_value__isnull=False)
    count = annotated.count()
    if not count:
        return [None] * len(fractions)
    values = []
    ordered = annotated.order_by("_value").values_list("_value", flat=True)
    for fraction in fractions:
        rank = fraction * (count - 1)
        low = math.floor(rank)
        pair = list(ordered[low : low + 2])
        value = pair[0]
        if len(pair) == 2:
            value += (rank - low) * (pair[1] - pair[0])
        values.append(value)
    return values


class LocalDayNumber(Func):
    """Days since 1970-01-01 of a datetime's local date, for a fixed UTC offset in seconds."""

    output_field = IntegerField()
    arity = 1

    def __init__(self, expression, offset_seconds: int, **extra):
        self.offset_seconds = int(offset_seconds)
        super().__init__(expression, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template=(
                f"floor((EXTRACT(EPOCH FROM %(expressions)s) + {self.offset_seconds}) / 86400.0)::int"
            ),
            **extra,
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template=(
                f"CAST(((julianday(%(expressions)s) - 2440587.5) * 86400.0 + {self.offset_seconds})"
                " / 86400.0 AS INTEGER)"
            ),
            **extra,
        )


class LookupByIndex(Func):
    """``values[index - first]`` of a list of integers passed as one parameter (0 outside it).

    PostgreSQL indexes an array; SQLite reads the JSON text with ``json_extract``. One lookup per
    row, however long the list.
    """

    output_field = IntegerField()
    arity = 1

    def __init__(self, index, values: list[int], first: int, **extra):
        self.values, self.first = [int(v) for v in values], int(first)
        super().__init__(index, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"COALESCE((%s::int[])[({sql}) - {self.first} + 1], 0)",
            (self.values, *params),
        )

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"COALESCE(json_extract(%s, '$[' || (({sql}) - {self.first}) || ']'), 0)",
            (json.dumps(self.values), *params),
        )
