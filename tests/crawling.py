"""Walking the app as its users do: every page and download a person reaches by following links,
and the URL configuration's own list of views, for the tests that must hold on every page."""

from __future__ import annotations

import inspect
import json
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.http import HttpResponse
from django.test import Client
from django.urls import Resolver404, resolve

from peerpath.core.encryption import EncryptedJSONField
from peerpath.core.permissions import access_of
from tests.core.test_url_permissions import project_views

LINK = re.compile(r'(?:href|hx-get)="([/?][^"#]*)"')
NEVER_FOLLOW = re.compile(r"(/logout/|/accounts/)")
# What a view's code calls when it answers with a file of rows (CSV, XLSX or the archive).
FILE_WRITERS = re.compile(r"\b(requested_format|download|download_table|download_list|attachment|stream_archive)\(")


@dataclass
class Visit:
    path: str
    view: str
    response: HttpResponse


def is_attachment(response: HttpResponse) -> bool:
    return response.get("Content-Disposition", "").startswith("attachment")


def crawl(
    client: Client,
    start: str | list[str],
    prefix: str,
    *,
    visits_per_view: int = 3,
    never_follow: re.Pattern[str] = NEVER_FOLLOW,
    follow_redirects: bool = False,
) -> Iterator[Visit]:
    """Every GET reachable from ``start`` (one address or several) by links under ``prefix``
    (downloads included; with ``follow_redirects``, where a redirect within the site leads too), at
    most ``visits_per_view`` addresses per view; links matching ``never_follow`` are left alone."""
    seen: set[str] = set()
    per_view: dict[str, int] = {}
    queue = deque([start] if isinstance(start, str) else start)
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        try:
            view = resolve(path.split("?")[0]).view_name
        except Resolver404:
            continue
        key = view + ("?export" if "export=" in path or "format=" in path else "")
        if per_view.get(key, 0) >= visits_per_view:
            continue
        per_view[key] = per_view.get(key, 0) + 1
        response = client.get(path)
        yield Visit(path, view, response)
        if follow_redirects and response.status_code in (301, 302) and response["Location"].startswith("/"):
            location = response["Location"]
            if not never_follow.search(location) and location not in seen:
                queue.append(location)
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in LINK.findall(response.content.decode()):
            link = link.replace("&amp;", "&")
            if link.startswith("?"):  # a link to this page with other parameters
                link = path.split("?")[0] + link
            if link.startswith(prefix) and not never_follow.search(link) and link not in seen:
                queue.append(link)


def view_source(view: Callable[..., Any]) -> str:
    """The source of a view function, below its decorators."""
    return inspect.getsource(inspect.unwrap(view))


def file_views() -> set[str]:
    """URL names of the program views that answer with a file of rows, read from their code."""
    return {
        name
        for _route, name, view in project_views()
        if (access_of(view) or ("", ""))[0] == "program" and FILE_WRITERS.search(view_source(view))
    }


def no_store(response: HttpResponse) -> bool:
    return "no-store" in [part.strip() for part in response.get("Cache-Control", "").split(",")]


def download_views() -> set[str]:
    """URL names of the program views that answer with a file: rows (CSV, XLSX, the archive) or any
    other file named through `as_download` (PDFs, JSON exports, evidence)."""
    return file_views() | {
        name
        for _route, name, view in project_views()
        if (access_of(view) or ("", ""))[0] == "program" and "as_download(" in view_source(view)
    }


def _replace_strings(value: Any, payload: str) -> Any:
    if isinstance(value, str):
        return payload
    if isinstance(value, list):
        return [_replace_strings(v, payload) for v in value]
    if isinstance(value, dict):
        return {k: _replace_strings(v, payload) for k, v in value.items()}
    return value


def _as_json(text: str) -> Any:
    if not text.startswith(("[", "{")):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The free-text fields of a model: text and char fields without choices, not slugs (nor
    encrypted JSON: numbers and scores stored as encrypted text)."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, (models.CharField, models.TextField))
        and not isinstance(f, EncryptedJSONField)
        and not f.choices
        and not f.primary_key
        and not isinstance(f, models.SlugField)
        and f.name not in {"password", "token_hash"}
    ]


# JSON fields that hold people's or the program's own words rather than codes: every string of a
# list (()), the strings under the named keys of its objects, or ("*",) every value of an object.
FREE_TEXT_JSON: dict[str, dict[str, tuple[str, ...]]] = {
    "recruitment.supporter": {"languages": ()},
    "recruitment.application": {"languages": ()},
    "support.participant": {"languages": (), "preferred_communities": ()},
    "support.matchingprofile": {"communities": ()},
    "plans.resource": {"needs": (), "languages": ()},
    "care.questionnaire": {"scale": ("label",)},
    "care.checkin": {"scores": ("name", "band", "meaning"), "bands": ("*",)},
    "voice.outcomeresponse": {"scores": ("name",)},
}


def _replace_words(value: Any, keys: tuple[str, ...], payload: Callable[[str], str], top: bool = True) -> Any:
    if isinstance(value, list):
        if not keys:
            return [payload(v) if isinstance(v, str) else v for v in value]
        return [_replace_words(v, keys, payload, False) for v in value]
    if isinstance(value, dict):
        return {
            k: payload(v)
            if isinstance(v, str) and (k in keys or (top and keys == ("*",)))
            else _replace_words(v, keys, payload, False)
            for k, v in value.items()
        }
    return value


def fill_every_text_field(payload_for: Callable[[models.Model, str], str], *, free_text_json: bool = False) -> int:
    """Overwrite every free-text field of every PeerPath record (JSON kept in text: every string in
    it) with ``payload_for(record, field name)``; returns how many values were written. With
    ``free_text_json``, the words in the JSON fields of ``FREE_TEXT_JSON`` too, each distinct word
    by the same payload wherever it is (so a language two people share is still shared)."""
    written = 0
    numbers: dict[str, int] = {}

    def word(record: models.Model, name: str) -> Callable[[str], str]:
        return lambda text: f"{payload_for(record, name)} #{numbers.setdefault(text, len(numbers) + 1)}"

    for model in apps.get_models():
        if not model.__module__.startswith("peerpath."):
            continue
        fields = text_fields(model)
        json_fields = FREE_TEXT_JSON.get(model._meta.label_lower, {}) if free_text_json else {}
        if json_fields:
            for record in model.objects.all():
                values = {
                    name: _replace_words(getattr(record, name), keys, word(record, name))
                    for name, keys in json_fields.items()
                }
                model.objects.filter(pk=record.pk).update(**values)
                written += len(values)
        if not fields:
            continue
        for record in model.objects.all():
            for f in fields:
                current = getattr(record, f.attname)
                if current in (None, "") and f.null:
                    continue
                payload = f"{payload_for(record, f.name)} #{record.pk}"  # unique where a field must be
                if isinstance(current, str) and (parsed := _as_json(current)) is not None:
                    value = json.dumps(_replace_strings(parsed, payload))
                else:
                    value = payload
                if getattr(f, "max_length", None) and len(value) > f.max_length:
                    value = value[: f.max_length - len(str(record.pk)) - 2] + f" #{record.pk}"
                setattr(record, f.attname, value)
                written += 1
            model.objects.filter(pk=record.pk).update(**{f.attname: getattr(record, f.attname) for f in fields})
    return written
