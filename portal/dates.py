"""One way to write a date or a moment for people: in Bangkok time, in the formats of
``portal/formats`` ("2 ธ.ค. 2569 14:05" in Thai, "2 Dec 2026 14:05" in English).

Django writes every date it shows (admin lists, read-only fields, history, ``{{ value }}`` and the
``date`` filter in templates) through ``django.utils.formats.date_format``; Django knows no
Buddhist era, so ``install()`` wraps that one function: while Thai is active, the year of the format
(``Y``, ``y``) is the Buddhist-era year. Code that writes a date itself calls ``local_date`` or
``local_datetime``. Input formats, files and the API keep ISO dates in the Christian era.
"""

import datetime

from django.utils import formats, timezone, translation

BUDDHIST_ERA_OFFSET = 543
THAI = "th"


def buddhist_era(format_string: str, year: int) -> str:
    """``format_string`` with its year (``Y``, ``y``) written as the Buddhist-era year."""
    year = str(year + BUDDHIST_ERA_OFFSET)
    literal = {"Y": year, "y": year[-2:]}
    parts, escaped = [], False
    for char in format_string:
        if escaped:
            parts.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in literal:
            parts.append("".join("\\" + digit for digit in literal[char]))
        else:
            parts.append(char)
    return "".join(parts)


def _thai_active() -> bool:
    return (translation.get_language() or "").split("-")[0] == THAI


def _with_buddhist_era(date_format):
    def wrapper(value, format=None, use_l10n=None):
        if not _thai_active() or not isinstance(value, datetime.date):
            return date_format(value, format, use_l10n)
        format_string = formats.get_format(format or "DATE_FORMAT", use_l10n=use_l10n)
        return date_format(value, buddhist_era(format_string, value.year), use_l10n)

    wrapper.buddhist_era = True
    return wrapper


def install() -> None:
    if not getattr(formats.date_format, "buddhist_era", False):
        formats.date_format = _with_buddhist_era(formats.date_format)


def local_date(value: datetime.date | None) -> str:
    """A day: "2 ธ.ค. 2569" / "2 Dec 2026"; a moment gives its day in Bangkok; None gives "—"."""
    if value is None:
        return "—"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return formats.date_format(value, "DATE_FORMAT")


def local_month(value: datetime.date) -> str:
    """A month: "พ.ย. 2569" / "Nov 2026"; ``value`` is any day of it, or its ISO "2026-11"."""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(f"{value}-01")
    return formats.date_format(value, "YEAR_MONTH_FORMAT")


def local_datetime(value: datetime.datetime | None) -> str:
    """A moment in Bangkok time: "2 ธ.ค. 2569 14:05" / "2 Dec 2026 14:05"; None gives "—"."""
    if value is None:
        return "—"
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT")
