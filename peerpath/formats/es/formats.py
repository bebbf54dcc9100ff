"""Spanish date formats: one per kind (see peerpath/formats/__init__.py)."""

SHORT_DATE_FORMAT = "d/m/Y"  # 07/12/2026
DATE_FORMAT = r"l j \d\e F \d\e Y"  # lunes 7 de diciembre de 2026
DATETIME_FORMAT = "d/m/Y H:i"  # 07/12/2026 18:00
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = r"F \d\e Y"
MONTH_DAY_FORMAT = r"j \d\e F"
FIRST_DAY_OF_WEEK = 1
