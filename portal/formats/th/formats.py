"""How dates read in Thai: "2 ธ.ค. 2569", "2 ธ.ค. 2569 14:05" (24-hour Bangkok time).

The year is written in the Buddhist era: ``portal.dates.format_date`` turns every "Y" of these
formats into the year plus 543. A date input shows "30/11/2569" and reads what
``portal.dates.parse_date`` reads (the first input format is the one it shows; the rest document
what else it takes).
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
YEAR_MONTH_FORMAT = "M Y"
MONTH_DAY_FORMAT = "j M"
TIME_FORMAT = "H:i"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
