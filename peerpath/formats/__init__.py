"""The date formats PeerPath shows, one per kind and per language (FORMAT_MODULE_PATH).

Templates name the kind, never a pattern: ``|date:"SHORT_DATE_FORMAT"`` (a short date),
``|date:"DATE_FORMAT"`` (a long date, with the weekday), ``|date:"DATETIME_FORMAT"`` (a date and
time), ``|time:"TIME_FORMAT"`` (a time alone, as in "ends at 20:00"), and ``|date:"c"`` for a
machine-readable ISO 8601 value (form values, ``<time datetime>``). tests/core/test_date_formats.py
fails on any other format string in a template.
"""
