"""Numbers as people read them: digits grouped, no ".00" on a whole number ("50,000,000", not
"50000000.00"), two decimals otherwise ("99.50")."""

from decimal import Decimal

from django.utils.formats import number_format


def whole_or_decimal(value: Decimal) -> Decimal | int:
    """``value`` without its decimals when it is whole (what a form shows to edit)."""
    return int(value) if value == value.to_integral_value() else value


def readable_number(value) -> str:
    if value is None:
        return "—"
    value = Decimal(value)
    decimals = 0 if value == value.to_integral_value() else 2
    return number_format(value, decimal_pos=decimals, force_grouping=True)
