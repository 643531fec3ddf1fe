"""The engine cleans each distinct cell value once per file, and a refusal stays one refusal."""

import pytest
from import_export import widgets

from portal.engine import _remembering_widget


class CountingWidget(widgets.CharWidget):
    def __init__(self):
        super().__init__()
        self.calls = 0

    def clean(self, value, row=None, **kwargs):
        self.calls += 1
        if value == "bad":
            raise ValueError("“bad” is not a value.")
        return f"{type(value).__name__}:{str(value).strip()}"


def traceback_length(error) -> int:
    length, tb = 0, error.__traceback__
    while tb is not None:
        length, tb = length + 1, tb.tb_next
    return length


def test_a_value_repeated_down_a_column_is_cleaned_once_and_types_are_kept_apart():
    original = CountingWidget()
    widget = _remembering_widget(original)
    assert [widget.clean(" a ") for _ in range(5)] == ["str:a"] * 5
    assert original.calls == 1
    # 1, 1.0, True and "1" are different cells (equal in Python): each cleaned as itself
    assert [widget.clean(v) for v in (1, 1.0, True, "1", 1)] == [
        "int:1",
        "float:1.0",
        "bool:True",
        "str:1",
        "int:1",
    ]
    assert original.calls == 5


def test_a_refusal_raised_for_many_rows_does_not_grow_its_traceback():
    widget = _remembering_widget(CountingWidget())
    lengths = []
    for _ in range(50):
        with pytest.raises(ValueError, match="is not a value") as raised:
            widget.clean("bad")
        lengths.append(traceback_length(raised.value))
    assert len(set(lengths)) == 1


def test_model_field_validation_is_remembered_per_type_for_text_numbers_and_choices():
    """``full_clean``'s field validation of a value repeated down a column runs once (a choice
    and a flag too); 1 and True are validated apart, and a date and time is always validated."""
    import datetime

    from django.db import models

    from portal.internals import _field_clean

    class Counting(models.BooleanField):
        calls = 0

        def clean(self, value, model_instance):
            Counting.calls += 1
            return super().clean(value, model_instance)

    field = Counting()
    field.set_attributes_from_name("flag")
    cleaned: dict = {}
    assert [_field_clean(field, v, None, cleaned) for v in (True, True, 1, 1, True)] == [True] * 5
    assert Counting.calls == 2
    moment = datetime.datetime(2026, 12, 6, tzinfo=datetime.UTC)
    stamp = models.DateTimeField()
    stamp.set_attributes_from_name("at")
    assert _field_clean(stamp, moment, None, cleaned) == moment
    assert id(stamp) not in cleaned
