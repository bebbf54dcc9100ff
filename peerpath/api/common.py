"""Helpers the API's routers share: paging that can be audited, and turning the pages' form and
service errors into the API's 422 answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache
from typing import Annotated, Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from ninja import Field, PathEx, Schema
from ninja.params import P
from pydantic import AfterValidator, create_model

from peerpath.api.schemas import ErrorOut, ValidationErrorOut

# Record ids as the database stores them: a larger number names nothing (and must not reach SQL).
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
# A record id in the URL, bounded the same way.
PathId = PathEx[int, P(ge=1, le=MAX_ID)]


def _sane_moment(value: dt.datetime) -> dt.datetime:
    """A moment in a plausible range, in UTC: PostgreSQL refuses offsets beyond its range (any
    offset is valid ISO 8601 text) and far-off years, which would otherwise fail in the database."""
    if not 1900 <= value.year <= 2200:
        raise ValueError("Give a date and time between the years 1900 and 2200.")
    if value.tzinfo is None:
        return value
    return value.astimezone(dt.UTC)


# A date and time as a filter: ISO 8601, in a plausible range, compared in UTC.
Moment = Annotated[dt.datetime, AfterValidator(_sane_moment)]


def _no_nul(value: str) -> str:
    """Text without NUL characters: PostgreSQL cannot store or compare them (a query with one
    fails in the database), and no person types one."""
    if "\x00" in value:
        raise ValueError("Text cannot contain NUL characters.")
    return value


# Free text as a filter or a field: anything a person can type, which never holds a NUL.
Words = Annotated[str, AfterValidator(_no_nul)]


# Documented answers besides success: no or a bad token, a role that does not allow it, a
# record that is not there or not visible, input refused by the schema, the form or a service.
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
# Writes also answer 400 when the body is not JSON at all.
WRITE_ERRORS = {400: ErrorOut, **ERRORS}


class PageIn(Schema):
    """Limit/offset paging, bounded like `BoundedPagination` (the same query parameters)."""

    limit: int = Field(settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT)
    offset: int = Field(0, ge=0, le=settings.NINJA_PAGINATION_MAX_OFFSET)


@cache
def paged(item: type[Schema]) -> type[Schema]:
    """The `{"count": …, "items": [...]}` schema of a list of ``item`` (the shape ninja's own
    pagination answers with), named after the item for the OpenAPI document."""
    name = item.__name__.removesuffix("Out")
    items = list[item]  # type: ignore[valid-type]  # a schema made at run time for each item type
    return create_model(f"Paged{name}", __base__=Schema, count=(int, ...), items=(items, ...))


def page_of(rows: QuerySet[Any], page: PageIn) -> tuple[int, list[Any]]:
    """The total and the requested slice, evaluated so the caller can audit exactly what is shown."""
    return rows.count(), list(rows[page.offset : page.offset + page.limit])


def unique(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def error_items(error: ValidationError) -> list[dict[str, Any]]:
    """A Django ValidationError as the entries of a 422 body: where (`loc`) and what (`msg`).

    `loc` is shaped like ninja's own schema errors (every write's body parameter is `payload`),
    so a client reads both kinds of refusal the same way."""
    body = ["body", "payload"]
    if hasattr(error, "error_dict"):
        return [
            {
                "loc": body if field in (NON_FIELD_ERRORS, None) else [*body, field],
                "msg": message,
                "type": "value_error",
            }
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"loc": body, "msg": message, "type": "value_error"} for message in error.messages]


def check_form(form: forms.Form) -> dict[str, Any]:
    """Validate with the page's own form, so the API accepts exactly what the page accepts.

    Raises ValidationError keyed by field; the API answers it with 422.
    """
    if not form.is_valid():
        raise ValidationError(
            {field: [e["message"] for e in errs] for field, errs in form.errors.get_json_data().items()}
        )
    return form.cleaned_data
