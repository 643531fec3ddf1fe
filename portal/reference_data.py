"""Reference data built from maintained packages, never typed in by hand."""

import gettext
from datetime import date

import holidays
import pycountry

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


def thai_public_holidays(years) -> dict[date, str]:
    return dict(holidays.country_holidays("TH", years=years, language="th").items())
