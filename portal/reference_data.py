"""Reference data built from maintained packages, never typed in by hand."""

import functools
import gettext
from datetime import date

import holidays
import pycountry
from django.utils import translation

from portal.choices import SubdivisionType

# pycountry's Thai catalogue has no entry for these two; everything else comes from it.
THAI_NAME_GAPS = {"TH-10": "กรุงเทพมหานคร", "TH-38": "บึงกาฬ"}

_SUBDIVISION_TYPES = {
    "Province": SubdivisionType.PROVINCE,
    "Metropolitan administration": SubdivisionType.METROPOLITAN,
    "Special administrative city": SubdivisionType.SPECIAL_CITY,
}


def thai_subdivisions() -> list[dict]:
    thai = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["th"])
    rows = []
    for sub in pycountry.subdivisions.get(country_code="TH"):
        name_th = thai.gettext(sub.name)
        if name_th == sub.name:
            name_th = THAI_NAME_GAPS.get(sub.code, sub.name)
        rows.append(
            {
                "code": sub.code,
                "name_en": sub.name,
                "name_th": name_th,
                "subdivision_type": _SUBDIVISION_TYPES[sub.type],
            }
        )
    return sorted(rows, key=lambda row: row["code"])


@functools.cache
def _country_names(language: str) -> tuple[tuple[str, str], ...]:
    catalogue = gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )
    names = ((c.alpha_2, catalogue.gettext(c.name)) for c in pycountry.countries)
    return tuple(sorted(names, key=lambda pair: pair[1]))


def country_names() -> tuple[tuple[str, str], ...]:
    """(ISO 3166-1 alpha-2 code, name) of every country, named and sorted in the active language."""
    return _country_names((translation.get_language() or "en").split("-")[0])


def thai_public_holidays(years) -> dict[date, str]:
    return dict(holidays.country_holidays("TH", years=years, language="th").items())


def load_public_holidays(holiday_model, years) -> int:
    """Add Thailand's public holidays of ``years``; a date already there is kept as edited.
    Returns how many were added. Used by migrations, ``load_holidays`` and the yearly beat task."""
    added = 0
    for day, name in thai_public_holidays(years).items():
        _, created = holiday_model.objects.get_or_create(date=day, defaults={"name": name[:200]})
        added += created
    return added


def load_reference_data(province_model, holiday_model) -> None:
    """Upsert the provinces and this period's holidays (models passed in: migrations use theirs)."""
    for row in thai_subdivisions():
        province_model.objects.update_or_create(code=row["code"], defaults=row)
    this_year = date.today().year
    load_public_holidays(holiday_model, range(this_year - 2, this_year + 2))
