"""Dates for people, one way in and one way out: in Bangkok time, and in Thai with the year of the
Buddhist era (BE, the Christian-era year + 543).

Out: ``format_date`` writes every date and moment a person reads (templates through the ``date``
filter of ``portal.templatetags.local_dates``, admin columns and read-only fields, PDFs, dashboards,
messages): "2 ธ.ค. 2569 14:05" in Thai, "2 Dec 2026 14:05" in English, with the formats of
``portal/formats``. Machine formats (``c``, ISO in files and the API) stay in the Christian era.

In: ``parse_date`` reads every date a person types or a file carries: a form field in Thai takes
the BE year it shows, in English the Christian-era year; a file cell takes either, told apart by
the year. A year that can only be the other era's, and anything ambiguous, is refused with a
message that says what to type; nothing is guessed silently.
"""

import datetime
import functools
import re

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import dateformat, formats, timezone, translation
from django.utils.translation import gettext as _

from portal.languages import thai_active

BUDDHIST_ERA_OFFSET = 543
#: A year from here on is a Buddhist-era year: 2400 BE is 1857, older than any date kept here,
#: and no Christian-era date here is that far ahead.
FIRST_BUDDHIST_ERA_YEAR = 2400
#: The last Buddhist-era year (2257): nothing here is dated further ahead.
LAST_BUDDHIST_ERA_YEAR = 2800
#: The oldest Christian-era year a date here may have (GI registrations, agreements, trainings).
FIRST_CHRISTIAN_ERA_YEAR = 1900

#: How a year is meant: a Thai form shows and takes BE, an English one the Christian era (CE);
#: a file may carry either (``None``: told apart by the year).
BE, CE = "BE", "CE"


def typing_era() -> str:
    """The era of the year a person types in a form: BE in Thai, CE in English."""
    return BE if thai_active() else CE


# -- out -------------------------------------------------------------------------------------------


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


def format_date(value: datetime.date, format_name: str | None = None) -> str:
    """``value`` as people read it: a moment in Bangkok time, a year in BE while Thai is active.

    ``format_name`` is a format setting ("DATE_FORMAT", "SHORT_DATETIME_FORMAT", ...) or a format
    string of Django's ``date`` filter; by default a date's or a moment's own format.
    """
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if format_name is None:
        format_name = "DATETIME_FORMAT" if isinstance(value, datetime.datetime) else "DATE_FORMAT"
    format_string = formats.get_format(format_name)
    if thai_active():
        format_string = buddhist_era(format_string, value.year)
    return dateformat.format(value, format_string)


def local_date(value: datetime.date | None) -> str:
    """A day: "2 ธ.ค. 2569" / "2 Dec 2026"; a moment gives its day in Bangkok; None gives "—"."""
    if value is None:
        return "—"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return _day_text(value, translation.get_language())


@receiver(setting_changed)
def _forget_day_texts(**kwargs) -> None:
    _day_text.cache_clear()  # a test changed a format or the languages


@functools.lru_cache(maxsize=4096)
def _day_text(day: datetime.date, language: str | None) -> str:
    """``format_date`` of a day in ``language`` (the active one, which it reads): Django's
    formatter takes ~30 µs a call, and a list or an import preview shows the same days again."""
    return format_date(day, "DATE_FORMAT")


def local_month(value: datetime.date | str) -> str:
    """A month: "พ.ย. 2569" / "Nov 2026"; ``value`` is any day of it, or its ISO "2026-11"."""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(f"{value}-01")
    return format_date(value, "YEAR_MONTH_FORMAT")


def local_datetime(value: datetime.datetime | None) -> str:
    """A moment in Bangkok time: "2 ธ.ค. 2569 14:05" / "2 Dec 2026 14:05"; None gives "—"."""
    if value is None:
        return "—"
    return format_date(value, "DATETIME_FORMAT")


def input_date(value: datetime.date) -> str:
    """A day as a date input shows it, ready to be typed over: "30/11/2569" / "2026-11-30"."""
    input_format = formats.get_format("DATE_INPUT_FORMATS")[0]
    if thai_active():
        year = f"{value.year + BUDDHIST_ERA_OFFSET:04d}"
        input_format = input_format.replace("%Y", year).replace("%y", year[-2:])
    return value.strftime(formats.sanitize_strftime_format(input_format))


# -- in --------------------------------------------------------------------------------------------


class DateTextError(ValueError):
    """A date that cannot be read for sure; the message says what to type instead."""


_MONTH_NAMES = {
    name.lower().replace(".", ""): number
    for number, names in enumerate(
        [
            ("มกราคม", "ม.ค.", "January", "Jan"),
            ("กุมภาพันธ์", "ก.พ.", "February", "Feb"),
            ("มีนาคม", "มี.ค.", "March", "Mar"),
            ("เมษายน", "เม.ย.", "April", "Apr"),
            ("พฤษภาคม", "พ.ค.", "May"),
            ("มิถุนายน", "มิ.ย.", "June", "Jun"),
            ("กรกฎาคม", "ก.ค.", "July", "Jul"),
            ("สิงหาคม", "ส.ค.", "August", "Aug"),
            ("กันยายน", "ก.ย.", "September", "Sep", "Sept"),
            ("ตุลาคม", "ต.ค.", "October", "Oct"),
            ("พฤศจิกายน", "พ.ย.", "November", "Nov"),
            ("ธันวาคม", "ธ.ค.", "December", "Dec"),
        ],
        start=1,
    )
    for name in names
}
# "2026-11-30", "2569/11/30"
_YEAR_FIRST = re.compile(r"(?P<year>\d+)[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})")
# "30/11/2569", "30-11-2026", "30.11.2569"
_DAY_FIRST = re.compile(r"(?P<day>\d{1,2})([-/.])(?P<month>\d{1,2})\2(?P<year>\d+)")
# "30 พ.ย. 2569", "30 พฤศจิกายน พ.ศ. 2569", "30 Nov 2026"
_MONTH_NAMED = re.compile(
    r"(?P<day>\d{1,2})\s*(?P<month>[^\d\s]+)\s*(?:(?P<marker>พ\.?\s?ศ\.?|ค\.?\s?ศ\.?)\s*)?"
    r"(?P<year>\d+)",
    re.IGNORECASE,
)


def _example(era: str | None, time: str = "") -> str:
    """A date written as ``era`` wants it (either way in a file), with ``time`` after it."""
    if era == BE:
        return f"30/11/2569{time}"
    if era == CE:
        return f"2026-11-30{time}"
    return _("%(be)s or %(ce)s") % {"be": f"30/11/2569{time}", "ce": f"2026-11-30{time}"}


def parse_date(value, era: str | None = None) -> datetime.date | None:
    """The day that ``value`` (a text, or a date a spreadsheet stored) names; None when empty.

    ``era``: BE (a Thai form: the year typed is a Buddhist-era year), CE (an English form), or
    None (a file: a year from 2400 on is BE, an earlier one CE). Days come before months, as Thai
    offices write them, unless the year comes first (ISO, whose years are Christian-era ones in
    any form; a year from 2400 there is still BE). Raises ``DateTextError`` saying what to type
    for anything it cannot read for sure: a two-digit year, a month-first date, a year of the
    other era, a day that does not exist.
    """
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        # A spreadsheet that read "30/11/2569" as a date keeps the year 2569.
        return _from_year(value.year, value.month, value.day, era, str(value))
    text = " ".join(str(value if value is not None else "").split())
    if not text:
        return None
    marker = None
    match = _YEAR_FIRST.fullmatch(text)
    if match:
        day, month = int(match["day"]), int(match["month"])
        if era == BE:
            era = None
    elif match := _DAY_FIRST.fullmatch(text):
        day, month = int(match["day"]), int(match["month"])
        if month > 12 and day <= 12:
            raise DateTextError(
                _(
                    "“%(value)s” puts the month first; write the day first "
                    "(day/month/year), e.g. %(example)s."
                )
                % {"value": text, "example": _example(era)}
            )
    elif match := _MONTH_NAMED.fullmatch(text):
        day = int(match["day"])
        month = _MONTH_NAMES.get(match["month"].lower().replace(".", ""))
        marker = (match["marker"] or "").replace(" ", "").replace(".", "")
        if month is None:
            raise DateTextError(
                _("“%(value)s” is not a date: “%(month)s” is not a month.")
                % {"value": text, "month": match["month"]}
            )
    else:
        raise DateTextError(
            _("“%(value)s” is not a date; write it as %(example)s.")
            % {"value": text, "example": _example(era)}
        )
    if len(match["year"]) != 4:
        raise DateTextError(
            _("“%(value)s” has no four-digit year; write the whole year, e.g. %(example)s.")
            % {"value": text, "example": _example(era)}
        )
    if marker == "พศ":
        era = BE
    elif marker == "คศ":
        era = CE
    return _from_year(int(match["year"]), month, day, era, text)


def _from_year(year: int, month: int, day: int, era: str | None, text: str) -> datetime.date:
    if year > LAST_BUDDHIST_ERA_YEAR:
        raise DateTextError(
            _("“%(value)s”: the year %(year)s is too far ahead; check the year.")
            % {"value": text, "year": year}
        )
    buddhist = year >= FIRST_BUDDHIST_ERA_YEAR
    if era == CE and buddhist:
        raise DateTextError(
            _(
                "“%(value)s”: %(year)s is a Buddhist-era year; type the Christian-era year: %(typed)s."
            )
            % {"value": text, "year": year, "typed": _with_year(text, year, -BUDDHIST_ERA_OFFSET)}
        )
    if era == BE and not buddhist:
        raise DateTextError(
            _("“%(value)s”: %(year)s is not a Buddhist-era year; type the year in BE: %(typed)s.")
            % {"value": text, "year": year, "typed": _with_year(text, year, BUDDHIST_ERA_OFFSET)}
        )
    if buddhist:
        year -= BUDDHIST_ERA_OFFSET
    if year < FIRST_CHRISTIAN_ERA_YEAR:
        raise DateTextError(
            _("“%(value)s”: the year %(year)s is too far back; check the year.")
            % {"value": text, "year": year}
        )
    try:
        return datetime.date(year, month, day)
    except ValueError as error:
        raise DateTextError(
            _("“%(value)s” is not a day of the calendar; check the day and the month.")
            % {"value": text}
        ) from error


def _with_year(text: str, year: int, shift: int) -> str:
    """``text`` with its year moved by ``shift`` years: what to type instead."""
    return f"“{text.replace(str(year), str(year + shift), 1)}”"


# "14:05", "14:05:30", "14:05:30.5", with a zone in ISO ("+07:00", "Z"), after a space or "T"
_MOMENT = re.compile(
    r"(?P<day>.+?)(?:T|\s+)(?P<hour>\d{1,2})[:.](?P<minute>\d{2})"
    r"(?:[:.](?P<second>\d{2})(?:\.(?P<fraction>\d{1,6})\d*)?)?\s*(?P<zone>Z|[+-]\d{2}:?\d{2})?"
)


def parse_datetime(value, era: str | None = None) -> datetime.datetime | None:
    """A moment: a day as ``parse_date`` reads it, then a time ("14:05", "14:05:30"), in
    Bangkok time unless an ISO zone follows; a spreadsheet's stored date and time likewise.
    None when empty."""
    if isinstance(value, datetime.datetime):
        combined = value.replace(year=parse_date(value, era).year)
        return combined if timezone.is_aware(combined) else timezone.make_aware(combined)
    text = " ".join(str(value if value is not None else "").split())
    if not text:
        return None
    match = _MOMENT.fullmatch(text)
    if match is None:
        raise DateTextError(
            _("“%(value)s” is not a date and time; write it as %(example)s.")
            % {"value": text, "example": _example(era, " 14:05")}
        )
    day = parse_date(match["day"], era)
    try:
        moment = datetime.time(
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"] or 0),
            int((match["fraction"] or "0").ljust(6, "0")),
        )
    except ValueError as error:
        raise DateTextError(_("“%(value)s” has no such time of day.") % {"value": text}) from error
    combined = datetime.datetime.combine(day, moment)
    if match["zone"]:
        offset = datetime.datetime.strptime(match["zone"].replace("Z", "+0000"), "%z").tzinfo
        return combined.replace(tzinfo=offset)
    return timezone.make_aware(combined)
