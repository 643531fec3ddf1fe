"""How dates read in Thai: "2 ธ.ค. 2569", "2 ธ.ค. 2569 14:05" (24-hour Bangkok time).

The year is written in the Buddhist era: portal.dates turns every "Y" of these formats into the
year plus 543 while Thai is active. Input formats stay Django's (Christian era, as typed).
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
YEAR_MONTH_FORMAT = "M Y"
MONTH_DAY_FORMAT = "j M"
TIME_FORMAT = "H:i"
