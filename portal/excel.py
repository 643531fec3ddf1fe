"""Cells as a spreadsheet leaves them, turned back into what the person typed where that is sure.

Excel reads a column of digits as a number: a CSV it saved has lost the leading 0 of tax IDs and
phone numbers, an integer may come back as ``1.0``, a long number as ``1.23457E+17``, and an XLSX
date is a date cell or its serial number. Each function here restores a value when only one reading
is possible and otherwise raises ``ValueError`` with what to do, which the import reports with the
row and the column.
"""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel
from stdnum.th import tin

SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
# Thai numbers without their leading 0: mobile 6/8/9 + 8 digits, fixed line 2-5/7 + 7 digits.
MOBILE_WITHOUT_ZERO = re.compile(r"^[689]\d{8}$")
FIXED_LINE_WITHOUT_ZERO = re.compile(r"^[2-57]\d{7}$")
WHOLE_NUMBER_TEXT = re.compile(r"^\d+\.0+$")
THAI_PHONE = re.compile(r"^(?:0[689]\d{8}|0[2-57]\d{7}|66[2-9]\d{7,8})$")


def _lost_digits(value: str) -> ValueError:
    return ValueError(
        _(
            "“%(value)s” is a number the spreadsheet shortened to scientific notation, and its "
            "last digits are lost. Format the column as Text in Excel, type the number again and "
            "import the file again."
        )
        % {"value": value}
    )


def cell_text(value):
    """A number cell as the digits typed (``812345678.0`` → ``"812345678"``); text unchanged.

    A number in scientific notation (``1.23457E+17``) has lost digits: refused.
    """
    if type(value) is str:  # every cell of a CSV file
        if ("e" in value or "E" in value) and SCIENTIFIC.match(value.strip()):
            raise _lost_digits(value.strip())
        return value
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        if value == int(value):
            return str(int(value))
        return str(value)
    if isinstance(value, str) and SCIENTIFIC.match(value.strip()):
        raise _lost_digits(value.strip())
    return value


def whole_number(value):
    """``1.0`` (a number cell, or text Excel wrote) → ``1``; ``1.5`` is refused, never cut."""
    if value is None or isinstance(value, bool | int):
        return value
    text = str(value).strip().replace(",", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value}) from error
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
    return int(number)


def _digits(value):
    """A cell of digits as text: a number cell, or text a spreadsheet wrote as ``812345678.0``."""
    text = cell_text(value)
    if isinstance(text, str) and WHOLE_NUMBER_TEXT.match(text.strip()):
        return text.strip().partition(".")[0]
    return text


def thai_phone(value):
    """A Thai phone number whose leading 0 a spreadsheet dropped gets it back.

    Only a cell of digits alone is looked at (``081-234-5678`` or ``+66 81 …`` is text typed as
    such); digits that are no Thai number with or without a 0 are refused.
    """
    text = _digits(value)
    if not isinstance(text, str) or not text.strip().isdigit():
        return text
    digits = text.strip()
    if THAI_PHONE.match(digits):
        return digits
    if MOBILE_WITHOUT_ZERO.match(digits) or FIXED_LINE_WITHOUT_ZERO.match(digits):
        return "0" + digits
    raise ValueError(
        _(
            "“%(value)s” is not a Thai phone number, with or without a leading 0. Write it as "
            "the number is dialled, e.g. 081 234 5678 or 02 123 4567, and import the file again."
        )
        % {"value": digits}
    )


def compact_tax_id(value: str) -> str:
    """``1-2345-67890-12-1`` or ``1 2345 67890 12 1`` -> ``1234567890121``. A number already
    written as plain digits is returned as it is: ``tin.compact`` walks it character by
    character, and a seller file asks for it several times a row."""
    if value.isascii() and value.isdigit():
        return value
    return tin.compact(value)


def thai_tax_id(value) -> str:
    """A 13-digit Thai tax ID, with dashes and spaces taken out; one with 12 digits gets its
    leading 0 back when the number with it holds its check digit (a juristic person's 0105…).
    A 12-digit number that is not valid with a 0 either is refused with what to do."""
    text = _digits(value)
    if text in (None, ""):
        return ""
    number = compact_tax_id(str(text))
    if len(number) == 12 and number.isdigit():
        if tin.is_valid("0" + number):
            return "0" + number
        raise ValueError(
            _(
                "“%(value)s” has 12 digits, and with a leading 0 it is not a valid tax ID "
                "either. Check the number, write all 13 digits (as text in Excel) and import "
                "the file again."
            )
            % {"value": number}
        )
    return number


def date_cell(value):
    """A date cell (a date, a date and time at midnight, or Excel's serial number) as a date.

    Text is left to the date widget; a date cell with a time of day is refused rather than cut.
    """
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise ValueError(
                _("“%(value)s” has a time of day; this column takes a date only.")
                % {"value": value.isoformat(sep=" ")}
            )
        return value.date()
    if isinstance(value, date) or value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float) and 1 <= value < 2958466:  # Excel's 1900-01-01…9999-12-31
        return date_cell(from_excel(value))
    return value
