"""Questionnaire files: reading (with every problem reported at once), writing, and loading
a stored questionnaire as a `scoring.Form`.

The file format is JSON, documented in the README ("Importing a published questionnaire"):

    {
      "format": "peerpath-questionnaire/1",
      "name": "...", "instructions": "...", "credit": "...",
      "scale": [{"value": 1, "label": "Never"}, ...],
      "subscales": [{"key": "cs", "name": "...", "scoring": "sum", "description": "...",
                     "bands": [{"from": 0, "label": "Low", "meaning": "...", "concern": false}, ...]}],
      "items": [{"number": 1, "text": "...", "subscale": "cs", "reverse": false}, ...]
    }
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from peerpath.care.scoring import Band, Form, ItemSpec, ScaleOption, SubscaleSpec

FORMAT = "peerpath-questionnaire/1"
MAX_BYTES = 1_000_000
MAX_ITEMS = 300
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")

TOP_KEYS = {"format", "name", "instructions", "credit", "scale", "subscales", "items"}
SCALE_KEYS = {"value", "label"}
SUBSCALE_KEYS = {"key", "name", "scoring", "description", "bands"}
BAND_KEYS = {"from", "label", "meaning", "concern"}
ITEM_KEYS = {"number", "text", "subscale", "reverse"}


class InstrumentErrors(Exception):
    """Everything wrong with an import file, each as 'where: what'."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


class _Check:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def text(self, where: str, row: dict, key: str, *, required: bool, limit: int) -> str:
        value = row.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.add(where, f"field '{key}' must be text.")
            return ""
        value = value.strip()
        if required and not value:
            self.add(where, f"field '{key}' is required.")
        if len(value) > limit:
            self.add(where, f"field '{key}' is longer than {limit} characters.")
        return value

    def flag(self, where: str, row: dict, key: str) -> bool:
        value = row.get(key, False)
        if not isinstance(value, bool):
            self.add(where, f"field '{key}' must be true or false.")
            return False
        return value

    def unknown(self, where: str, row: dict, allowed: set[str]) -> None:
        for key in sorted(set(row) - allowed):
            self.add(where, f"unknown field '{key}' (allowed: {', '.join(sorted(allowed))}).")


def parse(raw: bytes | str) -> Form:
    """Read an import file. Rule: all or nothing; raises InstrumentErrors listing every problem."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            raise InstrumentErrors([f"File: larger than {MAX_BYTES // 1000} kB."])
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InstrumentErrors(["File: not UTF-8 text."]) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise InstrumentErrors(
            [f"File: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})."]
        ) from None
    return from_data(data)


def from_data(data: Any) -> Form:
    check = _Check()
    if not isinstance(data, dict):
        raise InstrumentErrors(["File: the top level must be an object with name, scale, subscales and items."])
    check.unknown("File", data, TOP_KEYS)
    if data.get("format", FORMAT) != FORMAT:
        check.add("File", f"field 'format' must be '{FORMAT}'.")
    name = check.text("File", data, "name", required=True, limit=200)
    instructions = check.text("File", data, "instructions", required=False, limit=5000)
    credit = check.text("File", data, "credit", required=False, limit=5000)
    scale = _scale(check, data.get("scale"))
    subscales = _subscales(check, data.get("subscales"))
    items = _items(check, data.get("items"), {s.key for s in subscales})
    if check.errors:
        raise InstrumentErrors(check.errors)
    form = Form(
        name=name,
        scale=tuple(sorted(scale, key=lambda o: o.value)),
        subscales=tuple(subscales),
        items=tuple(items),
        instructions=instructions,
        credit=credit,
    )
    for position, subscale in enumerate(form.subscales, start=1):
        where = f"Subscale {position} ('{subscale.key}')"
        if not form.items_of(subscale.key):
            check.add(where, "no item belongs to it.")
            continue
        low, high = form.score_range(subscale)
        starts = [band.min_score for band in subscale.bands]
        if min(starts) > low:
            check.add(where, f"the lowest band must start at or below the lowest possible score ({low}).")
        for band in subscale.bands:
            if band.min_score > high:
                check.add(where, f"band '{band.label}' starts above the highest possible score ({high}).")
    if check.errors:
        raise InstrumentErrors(check.errors)
    return form


def _scale(check: _Check, rows: Any) -> list[ScaleOption]:
    if not isinstance(rows, list) or len(rows) < 2:
        check.add("Scale", "give at least two response options as a list of {value, label}.")
        return []
    options: list[ScaleOption] = []
    seen: set[int] = set()
    for n, row in enumerate(rows, start=1):
        where = f"Scale option {n}"
        if not isinstance(row, dict):
            check.add(where, "must be an object with value and label.")
            continue
        check.unknown(where, row, SCALE_KEYS)
        value = row.get("value")
        if not isinstance(value, int) or isinstance(value, bool) or not -100 <= value <= 100:
            check.add(where, "field 'value' must be a whole number between -100 and 100.")
            continue
        if value in seen:
            check.add(where, f"value {value} appears twice.")
        seen.add(value)
        label = check.text(where, row, "label", required=True, limit=80)
        options.append(ScaleOption(value, label))
    if options:
        values = sorted(o.value for o in options)
        if values != list(range(values[0], values[-1] + 1)):
            check.add("Scale", "values must be consecutive whole numbers (for example 1 to 5).")
    return options


def _subscales(check: _Check, rows: Any) -> list[SubscaleSpec]:
    if not isinstance(rows, list) or not rows:
        check.add("Subscales", "give at least one subscale as a list.")
        return []
    subscales: list[SubscaleSpec] = []
    keys: set[str] = set()
    for n, row in enumerate(rows, start=1):
        where = f"Subscale {n}"
        if not isinstance(row, dict):
            check.add(where, "must be an object.")
            continue
        check.unknown(where, row, SUBSCALE_KEYS)
        key = row.get("key")
        if not isinstance(key, str) or not KEY_RE.match(key):
            check.add(where, "field 'key' must be 1-40 lower-case letters, digits, '-' or '_'.")
            key = f"?{n}"
        elif key in keys:
            check.add(where, f"key '{key}' is used twice.")
        keys.add(key)
        name = check.text(where, row, "name", required=True, limit=120)
        description = check.text(where, row, "description", required=False, limit=2000)
        scoring = row.get("scoring", "sum")
        if scoring not in ("sum", "mean"):
            check.add(where, "field 'scoring' must be 'sum' or 'mean'.")
        bands = _bands(check, where, row.get("bands"))
        subscales.append(SubscaleSpec(key, name, scoring, description, tuple(bands)))
    return subscales


def _bands(check: _Check, parent: str, rows: Any) -> list[Band]:
    if not isinstance(rows, list) or not rows:
        check.add(parent, "field 'bands' must list at least one score band.")
        return []
    bands: list[Band] = []
    starts: set[Decimal] = set()
    for n, row in enumerate(rows, start=1):
        where = f"{parent}, band {n}"
        if not isinstance(row, dict):
            check.add(where, "must be an object with from, label, meaning and concern.")
            continue
        check.unknown(where, row, BAND_KEYS)
        start = row.get("from")
        try:
            if isinstance(start, bool) or not isinstance(start, (int, float, str)):
                raise InvalidOperation
            minimum = Decimal(str(start)).quantize(Decimal("0.01"))
            if not minimum.is_finite() or abs(minimum) >= 1_000_000:
                raise InvalidOperation
        except InvalidOperation:
            check.add(where, "field 'from' must be a number (the lowest score in the band).")
            continue
        if minimum in starts:
            check.add(where, f"another band already starts at {minimum.normalize()}.")
        starts.add(minimum)
        label = check.text(where, row, "label", required=True, limit=80)
        meaning = check.text(where, row, "meaning", required=False, limit=2000)
        concern = check.flag(where, row, "concern")
        bands.append(Band(label, minimum, meaning, concern))
    return sorted(bands, key=lambda b: b.min_score)


def _items(check: _Check, rows: Any, subscale_keys: set[str]) -> list[ItemSpec]:
    if not isinstance(rows, list) or not rows:
        check.add("Items", "give at least one item as a list.")
        return []
    if len(rows) > MAX_ITEMS:
        check.add("Items", f"at most {MAX_ITEMS} items.")
        return []
    items: list[ItemSpec] = []
    numbers: set[int] = set()
    for n, row in enumerate(rows, start=1):
        where = f"Item {n}"
        if not isinstance(row, dict):
            check.add(where, "must be an object with number, text, subscale and reverse.")
            continue
        check.unknown(where, row, ITEM_KEYS)
        number = row.get("number", n)
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            check.add(where, "field 'number' must be a whole number from 1.")
            number = n
        elif number in numbers:
            check.add(where, f"number {number} is used twice.")
        numbers.add(number)
        text = check.text(where, row, "text", required=True, limit=1000)
        subscale = row.get("subscale")
        if subscale is not None and subscale not in subscale_keys:
            check.add(where, f"field 'subscale': no subscale has the key {subscale!r}.")
        reverse = check.flag(where, row, "reverse")
        if reverse and subscale is None:
            check.add(where, "an item without a subscale is not scored, so it cannot be reverse-scored.")
        items.append(ItemSpec(number, text, subscale, reverse))
    return sorted(items, key=lambda i: i.number)


def to_data(form: Form) -> dict[str, Any]:
    """The import-file representation of a questionnaire (export, then edit and import again)."""
    return {
        "format": FORMAT,
        "name": form.name,
        "instructions": form.instructions,
        "credit": form.credit,
        "scale": [{"value": o.value, "label": o.label} for o in form.scale],
        "subscales": [
            {
                "key": s.key,
                "name": s.name,
                "scoring": s.scoring,
                "description": s.description,
                "bands": [
                    {"from": _number(b.min_score), "label": b.label, "meaning": b.meaning, "concern": b.concern}
                    for b in s.bands
                ],
            }
            for s in form.subscales
        ],
        "items": [
            {"number": i.number, "text": i.text, "subscale": i.subscale, "reverse": i.reverse} for i in form.items
        ],
    }


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral() else float(value)


def form_of(questionnaire: Any) -> Form:
    """A stored questionnaire (with subscales, bands and items prefetched) as a scoring Form."""
    subscales = list(questionnaire.subscales.all())
    keys = {s.pk: s.key for s in subscales}
    return Form(
        name=questionnaire.name,
        instructions=questionnaire.instructions,
        credit=questionnaire.credit,
        scale=tuple(ScaleOption(int(o["value"]), o["label"]) for o in questionnaire.scale),
        subscales=tuple(
            SubscaleSpec(
                s.key,
                s.name,
                s.scoring,
                s.description,
                tuple(Band(b.label, b.min_score, b.meaning, b.is_highest_concern) for b in s.bands.all()),
            )
            for s in subscales
        ),
        items=tuple(
            ItemSpec(i.number, i.text, keys.get(i.subscale_id), i.reverse_scored) for i in questionnaire.items.all()
        ),
    )
