from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.th import pin, tin

from portal.excel import compact_tax_id


def validate_thai_tax_id(value: str) -> None:
    """A 13-digit Thai personal ID (PIN) or juristic-person tax number (MOA) with its check digit.

    ``stdnum.th.tin`` decides validity; the reason is worked out only to tell the user what is wrong.
    """
    number = compact_tax_id(value or "")
    if tin.is_valid(number):
        return
    if len(number) != 13 or not number.isdigit():
        message = _("“%(value)s” is not a Thai tax or ID number: it must have 13 digits.")
        code = "format"
    elif number[-1] != pin.calc_check_digit(number):
        message = _("“%(value)s” is not a valid Thai tax or ID number: the check digit is wrong.")
        code = "checksum"
    else:
        message = _("“%(value)s” is not a valid Thai tax or ID number.")
        code = "invalid"
    raise ValidationError(message, code=code, params={"value": value})
