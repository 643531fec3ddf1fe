import pytest
from django.core.exceptions import ValidationError

from gi_catalog.validators import validate_thai_tax_id
from tests.gi_catalog.conftest import valid_tax_id


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("company", [False, True])
def test_generated_tax_ids_pass(seed, company):
    validate_thai_tax_id(valid_tax_id(seed, company))


@pytest.mark.parametrize(
    "value, code",
    [
        ("3100600445636", "checksum"),  # last digit changed
        ("310060044563", "format"),  # 12 digits
        ("31006004456351", "format"),
        ("31006OO445635", "format"),
        ("9100600445634", "invalid"),  # a personal number cannot start with 9
    ],
)
def test_bad_tax_ids_say_why(value, code):
    with pytest.raises(ValidationError) as error:
        validate_thai_tax_id(value)
    assert error.value.code == code


def test_dashes_and_spaces_are_accepted():
    validate_thai_tax_id("3-1006-00445-63-5")
    validate_thai_tax_id("0 99 3 000 13397 8")


def test_a_chunk_s_array_lookup_prepares_values_as_in_does(db, seller):
    """The import engine's one-array lookup gives each value the field's own preparation
    (a tax ID typed with dashes is compacted), as Django's ``__in`` does."""
    from gi_catalog.models import Seller
    from portal.engine import _any_of

    dashed = f"{seller.tax_id[0]}-{seller.tax_id[1:5]}-{seller.tax_id[5:]}"
    assert list(Seller.objects.filter(_any_of(Seller, "tax_id", {dashed}))) == [seller]
    assert list(Seller.objects.filter(tax_id__in={dashed})) == [seller]
