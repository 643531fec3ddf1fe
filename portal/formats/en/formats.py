"""How dates read in English: "2 Dec 2026", "2 Dec 2026 14:05" (24-hour Bangkok time).

A date input shows "2026-12-02" and reads what ``portal.dates.parse_date`` reads (the first input
format is the one it shows; day/month/year is the other, days first as in Thailand).
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
YEAR_MONTH_FORMAT = "M Y"
MONTH_DAY_FORMAT = "j M"
TIME_FORMAT = "H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
