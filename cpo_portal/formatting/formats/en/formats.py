"""Dates and times in the admin and every template as the rest of the product writes them
(`cpo_portal.formatting.local_time`): "24 Sep 2025", "24 Sep 2025, 19:00", "19:00"."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
