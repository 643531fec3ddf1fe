"""The engine cleans each distinct cell value once per file, and a refusal stays one refusal."""

import pytest
from import_export import widgets

from portal.engine import _remembering_widget
from tests.jobs.conftest import workstream  # noqa: F401 (fixture)


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


@pytest.mark.django_db
def test_a_value_that_is_the_very_object_validated_before_is_not_validated_again(
    monkeypatch,
    workstream,  # noqa: F811
):
    """A default the blank instance gives every new row, or a cell a widget remembered, is the
    same object row after row: ``full_clean`` validates it once. An equal but new object, or a
    value that may change in place, is validated again."""
    import datetime
    from decimal import Decimal

    from portal import internals
    from portal.models import Target

    validated = []
    field_clean = internals._field_clean

    def counting(model_field, raw, instance, cleaned):
        validated.append(model_field.name)
        return field_clean(model_field, raw, instance, cleaned)

    monkeypatch.setattr(internals, "_field_clean", counting)
    name, start = "ตัวชี้วัด", datetime.date(2026, 1, 1)  # the same objects in every row
    cleaned: dict = {}
    for _ in range(3):
        target = Target(
            workstream=workstream,
            name=name,
            metric="gi_products_listed",
            target_value=Decimal("10.50"),  # a new object each row
            unit="cases",
            period_start=start,
            due_date=datetime.date(2026, 12, 31),
        )
        with internals.full_clean_without_queries(target, {}, cleaned=cleaned):
            target.full_clean()
    assert validated.count("name") == 1
    assert validated.count("target_value") == 3
    # a date is valid as it is for a date field with no choices and no validators: never checked
    assert validated.count("period_start") == validated.count("due_date") == 0


@pytest.mark.django_db
def test_a_refused_value_is_refused_again_on_every_row_that_holds_it(workstream):  # noqa: F811
    """Only a value found blank or valid as it is may be passed over on later rows: the very
    same refused object is refused on each row, and the rows between keep their own values."""
    import datetime
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from portal import internals
    from portal.models import Target

    too_long, fine = "ก" * 1000, "ตัวชี้วัด"
    cleaned: dict = {}
    refused = []
    for name in (fine, too_long, fine, too_long, too_long):
        target = Target(
            workstream=workstream,
            name=name,
            metric="gi_products_listed",
            target_value=Decimal("10.50"),
            unit="cases",
            period_start=datetime.date(2026, 1, 1),
            due_date=datetime.date(2026, 12, 31),
        )
        with internals.full_clean_without_queries(target, {}, cleaned=cleaned):
            try:
                target.full_clean()
            except ValidationError as error:
                refused.append(sorted(error.message_dict))
            else:
                refused.append([])
    assert refused == [[], ["name"], [], ["name"], ["name"]]


def test_only_fields_with_nothing_to_say_of_a_value_of_their_type_take_it_as_it_is():
    """A date, a date and time, a boolean or a related row's integer id is passed over by
    ``full_clean`` only where the field's ``clean`` would hand it back, valid, whatever it is."""
    import datetime

    from django.core.validators import MinValueValidator
    from django.db import models

    from portal.internals import _type_taken_as_is
    from takedowns.models import TakedownCase

    class OwnReading(models.DateField):
        def to_python(self, value):
            return super().to_python(value)

    def field(field_class, *args, **kwargs):
        made = field_class(*args, **kwargs)
        made.set_attributes_from_name("f")
        return made

    assert _type_taken_as_is(field(models.DateTimeField)) is datetime.datetime
    assert _type_taken_as_is(field(models.DateField)) is datetime.date
    assert _type_taken_as_is(field(models.BooleanField)) is bool
    assert _type_taken_as_is(TakedownCase._meta.get_field("rights_holder")) is int
    today = datetime.date(2026, 12, 7)
    assert _type_taken_as_is(field(models.DateField, validators=[MinValueValidator(today)])) is None
    assert _type_taken_as_is(field(models.BooleanField, choices=[(True, "yes")])) is None
    assert _type_taken_as_is(field(OwnReading)) is None
    assert _type_taken_as_is(field(models.CharField, max_length=5)) is None
    assert _type_taken_as_is(field(models.IntegerField)) is None  # its range validators


@pytest.mark.django_db
def test_every_field_that_takes_a_type_as_it_is_cleans_such_a_value_to_itself():
    """For each field of the project's models that ``full_clean`` passes over for a value of
    its type, the field's own checks hand a value of that type back unchanged and valid."""
    import datetime

    from django.apps import apps
    from django.db import models

    from portal.internals import _type_taken_as_is

    samples = {
        datetime.datetime: datetime.datetime(2569 - 543, 12, 7, 9, 30, tzinfo=datetime.UTC),
        datetime.date: datetime.date(2026, 12, 7),
        bool: True,
        int: 1,
    }
    checked = 0
    for model in apps.get_models():
        if model._meta.app_label not in ("portal", "gi_catalog", "takedowns", "training"):
            continue
        instance = model()
        for model_field in model._meta.concrete_fields:
            value_type = _type_taken_as_is(model_field)
            if value_type is None:
                continue
            value = samples[value_type]
            cleaned = model_field.to_python(value)
            models.Field.validate(model_field, cleaned, instance)  # a key's query is the chunk's
            model_field.run_validators(cleaned)
            assert cleaned is value, (model, model_field.name)
            checked += 1
    assert checked > 100


def test_a_cell_text_read_before_in_its_column_reads_the_same_and_a_refusal_is_refused_again():
    """``file_row`` remembers per column what a text became (a juristic tax ID whose leading 0
    Excel dropped, a phone number): later rows get that reading without the reader; a text the
    reader refuses is refused on every row that holds it, and a formula escape is undone."""
    from django.core.exceptions import ValidationError

    from gi_catalog.resources import SellerResource

    resource = SellerResource()
    restored, refused = "105556123453", "123456789012"  # 12 digits: 0 + the first holds

    def read(row):
        try:
            return resource.file_row(dict(row))
        except ValidationError as error:
            return error.message_dict

    rows = [{"tax_id": restored, "phone": "812345678", "name": "'=HYPERLINK(1)"}] * 3
    assert [read(row) for row in rows] == [
        {"tax_id": "0105556123453", "phone": "0812345678", "name": "=HYPERLINK(1)"}
    ] * 3
    outcomes = [read({"tax_id": refused, "phone": "812345678", "name": "ก"}) for _ in range(3)]
    assert all(list(outcome) == ["tax_id"] for outcome in outcomes)
    assert outcomes[0] == outcomes[2]
    assert resource._texts_read["tax_id"] == {restored: "0105556123453"}
