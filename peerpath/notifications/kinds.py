"""The kinds of message PeerPath sends, registered by the apps that send them.

The notification layer sits low in the app order, so it cannot know the apps above it: each
registers its kinds in its ``AppConfig.ready()`` with `register_kind`. A kind names the
templates its messages are rendered from (``<template>_text.txt`` for the inbox line and the
text message, ``<template>_subject.txt`` and ``<template>_body.txt`` for e-mail), the channels
a person gets it on until they choose otherwise, and whether it is urgent (urgent kinds ignore
quiet hours and the digest, and page by text: repeated until acknowledged).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.functional import Promise

from peerpath.notifications.models import Channel

ALL_CHANNELS: frozenset[str] = frozenset(Channel.values)


@dataclass(frozen=True)
class Kind:
    key: str
    label: str | Promise
    template: str
    default: frozenset[str]
    # The channels a person may choose for it (some kinds have no short text, so no SMS).
    allowed: frozenset[str] = field(default=ALL_CHANNELS)
    urgent: bool = False
    # Who receives it, for the profile page: only kinds a person may get are listed.
    audience: str | Promise = ""
    order: int = 100
    # False for texts to people without an account (a participant's feedback link): never on
    # anyone's settings page; their label names them on the failed-deliveries page.
    for_accounts: bool = True

    def __post_init__(self) -> None:
        if not self.default <= self.allowed:
            raise ValueError(f"{self.key}: default channels must be allowed channels")


_KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> None:
    """Register a kind of message (in the sending app's ``AppConfig.ready()``)."""
    _KINDS[kind.key] = kind


def get(key: str) -> Kind:
    try:
        return _KINDS[key]
    except KeyError:
        raise LookupError(f"Unknown kind of message {key!r}: register it with register_kind") from None


def register_kinds(*found: Kind) -> None:
    for kind in found:
        register_kind(kind)


def every_kind(accounts_only: bool = True) -> list[Kind]:
    """The kinds a person may choose channels for (with ``accounts_only=False``: every kind)."""
    chosen = [k for k in _KINDS.values() if k.for_accounts or not accounts_only]
    return sorted(chosen, key=lambda k: (k.order, k.key))


def label_of(key: str) -> str:
    """A kind's label, for pages listing deliveries ("" for a kind no longer registered)."""
    found = _KINDS.get(key)
    return str(found.label) if found is not None else key
