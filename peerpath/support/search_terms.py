"""What a participant is found by: the search terms behind support's blind index.

Participants' names, e-mail addresses and phone numbers are encrypted
(`peerpath.core.encryption`), so they are found through `SearchTerm` rows holding keyed
digests of these terms: each normalised name word, the e-mail and the phone digits.
"""

from __future__ import annotations

import re
import unicodedata


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_words(text: str) -> list[str]:
    """'José  O'Neil-Díaz' -> ['jose', 'o', 'neil', 'diaz']: the words a name is searched by."""
    return [w for w in re.split(r"[^\w]+", _fold(text)) if w]


def phone_digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def terms_for(*, full_name: str, email: str, phone: str) -> set[str]:
    """Everything a participant can be found by: each name word, the e-mail, the phone digits."""
    terms = {f"name:{w}" for w in name_words(full_name)}
    if email.strip():
        terms.add(f"email:{email.strip().casefold()}")
    if len(phone_digits(phone)) >= 4:
        terms.add(f"phone:{phone_digits(phone)}")
    return terms


def query_terms(query: str) -> list[list[str]]:
    """The search requirements for what was typed: each is a list of terms, one must match.

    A query of digits only is a phone number; a word with '@' is an e-mail; every other
    word is a name word (all must match, in any order).
    """
    query = query.strip()
    if not query:
        return []
    if not re.search(r"[^\d\s()+.-]", query) and len(phone_digits(query)) >= 4:
        return [[f"phone:{phone_digits(query)}"]]
    requirements: list[list[str]] = []
    for token in query.split()[:6]:
        if "@" in token:
            requirements.append([f"email:{token.casefold()}"])
        else:
            requirements.extend([f"name:{w}"] for w in name_words(token))
    return requirements
