"""``portal.validation``: a check constraint answered in Python says what the database says."""

import pytest
from django.db import connection
from django.db.models import Q, Value

from portal.validation import check_in_python
from training.models import Attendance

pytestmark = pytest.mark.django_db

CONDITIONS = [
    Q(score__isnull=True) | Q(score__lte=100),
    ~Q(completed=True, attended=False),
    Q(completed=False, certificate_number__isnull=True)
    | Q(completed=True, certificate_number__isnull=False),
    Q(score__gt=50) & ~Q(score__in=[60, 70]),
    Q(score__gte=10, certificate_number="A") | Q(score__lt=5),
]
ROWS = [
    {"score": None, "attended": False, "completed": False, "certificate_number": None},
    {"score": 101, "attended": True, "completed": True, "certificate_number": None},
    {"score": 60, "attended": False, "completed": True, "certificate_number": "A"},
    {"score": 4, "attended": True, "completed": False, "certificate_number": "B"},
    {"score": 80, "attended": True, "completed": True, "certificate_number": "A"},
]


class Constraint:
    def __init__(self, condition):
        self.condition = condition


@pytest.mark.parametrize("condition", CONDITIONS, ids=str)
@pytest.mark.parametrize("row", ROWS, ids=lambda row: str(row["score"]))
def test_check_in_python_agrees_with_the_database(condition, row):
    in_python = check_in_python(Constraint(condition), Attendance(**row), set())
    against = {name: Value(value) for name, value in row.items()}
    against["score"] = Value(row["score"], output_field=Attendance._meta.get_field("score"))
    against["certificate_number"] = Value(
        row["certificate_number"], output_field=Attendance._meta.get_field("certificate_number")
    )
    assert in_python is condition.check(against, using=connection.alias)


def test_check_in_python_skips_an_excluded_field_and_leaves_the_rest_to_the_database():
    row = Attendance(score=101)
    assert check_in_python(Constraint(Q(score__lte=100)), row, {"score"}) is True
    assert check_in_python(Constraint(Q(score__lte=100)), row, set()) is False
    assert check_in_python(Constraint(Q(session__course__code="X")), row, set()) is None
    assert check_in_python(Constraint(Q(certificate_number__startswith="D")), row, set()) is None
