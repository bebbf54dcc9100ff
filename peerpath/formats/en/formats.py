"""English date formats: one per kind (see peerpath/formats/__init__.py)."""

SHORT_DATE_FORMAT = "Y-m-d"  # 2026-12-07
DATE_FORMAT = "l j F Y"  # Monday 7 December 2026
DATETIME_FORMAT = "Y-m-d H:i"  # 2026-12-07 18:00
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"  # 18:00
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
FIRST_DAY_OF_WEEK = 1  # Monday
