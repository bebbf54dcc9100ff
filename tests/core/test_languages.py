"""Each person in their language: pages follow a signed-in person's choice (their account page),
else the public language switch, else the browser; what is sent to a person is rendered in theirs
(peerpath/core/languages.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import translation

from peerpath.core import languages
from peerpath.core.mail import queue_account_link_email
from peerpath.core.models import AuditEntry, OutgoingEmail, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_language_for_a_person_or_a_record() -> None:
    assert languages.language_for(SimpleNamespace(language="es")) == "es"
    assert languages.language_for(SimpleNamespace(language="")) == "en"
    assert languages.language_for(SimpleNamespace(preferred_language="es-MX")) == "es"
    assert languages.language_for(SimpleNamespace(preferred_language="tlh")) == "en"  # not spoken here
    assert languages.language_for(None) == "en"
    with languages.in_language_of(SimpleNamespace(preferred_language="es")) as code:
        assert code == "es" and translation.gettext("Your account") == "Tu cuenta"
    assert translation.get_language() == "en"


def test_pages_follow_the_browser_and_the_switch() -> None:
    client = Client()
    page = client.get("/accounts/login/", headers={"accept-language": "es-MX,es;q=0.9"})
    assert b'<html lang="es" dir="ltr">' in page.content
    assert "Ir al contenido principal" in page.content.decode()
    assert page["Content-Language"] == "es"
    # The visible switch, each language named in itself, the current one marked.
    html = page.content.decode()
    assert 'value="en" lang="en"' in html and ">English<" in html
    assert 'value="es" lang="es" translate="no" aria-describedby="language-switch-label" aria-current="true">' in html
    assert ">Español<" in html
    switched = client.post("/language/", {"language": "en", "next": "/accounts/login/"})
    assert switched.status_code == 302 and switched["Location"] == "/accounts/login/"
    page = client.get("/accounts/login/", headers={"accept-language": "es"})
    assert b'<html lang="en" dir="ltr">' in page.content


def test_a_person_chooses_their_language_on_their_account_page() -> None:
    user = UserFactory()
    client = Client()
    client.force_login(user)
    page = client.get("/account/")
    assert page.status_code == 200 and "Your account" in page.content.decode()
    assert client.post("/account/", {"language": "fr"}).status_code == 400
    saved = client.post("/account/", {"language": "es"}, follow=True)
    assert "Guardamos tu idioma." in saved.content.decode()
    user.refresh_from_db()
    assert user.language == "es"
    entry = AuditEntry.objects.get(action="account.language")
    assert entry.changes == {"language": ["", "es"]}
    # The choice wins over the browser's language, on every page.
    page = client.get("/account/", headers={"accept-language": "en"})
    assert b'<html lang="es"' in page.content and "Tu cuenta" in page.content.decode()
    # Back to following the browser.
    client.post("/account/", {"language": ""})
    user.refresh_from_db()
    assert user.language == ""
    assert b'<html lang="en"' in client.get("/account/", headers={"accept-language": "en"}).content


def test_a_person_signing_in_in_spanish_keeps_spanish() -> None:
    user = UserFactory(email="ana@example.org")
    client = Client(headers={"accept-language": "es"})
    client.post("/accounts/login/", {"username": "ana@example.org", "password": PASSWORD})
    user.refresh_from_db()
    assert user.language == "es"
    # Someone who chose English keeps English whatever they sign in with.
    other = UserFactory(email="bo@example.org", language="en")
    Client(headers={"accept-language": "es"}).post("/accounts/login/", {"username": other.email, "password": PASSWORD})
    assert User.objects.get(pk=other.pk).language == "en"


def test_an_account_email_is_in_the_recipients_language() -> None:
    user = UserFactory(language="es", full_name="Ana")
    before = translation.get_language()
    queue_account_link_email(user=user, kind="password_reset", template="core/email/password_reset", context={})
    message = OutgoingEmail.objects.get()
    assert message.subject == "Cambia tu contraseña de PeerPath"
    assert message.body.startswith("Hola, Ana:")
    assert translation.get_language() == before  # the sender's language is left as it was
