"""Search terms that name a person stay out of URLs, kept in the session instead.

A term typed to find someone (a name, an e-mail address, a phone number) in a URL ends up in
the web server's and proxies' access logs, the browser's history and the ``Referer`` a page's
links send. A page whose search names people therefore takes the term by POST, keeps it here
(in the signed-in person's session, one term per page and program: ``scope``), and redirects to
itself with only the filters that name nobody in the URL; its pagination, sorting and
downloads read the term back from here. Signing out forgets it with the session.
"""

from __future__ import annotations

from django.http import HttpRequest

SESSION_KEY = "_kept_searches"


def kept_search(request: HttpRequest, scope: str) -> str:
    """The term kept for this page (``scope``), or ``""``."""
    searches = request.session.get(SESSION_KEY) or {}
    term = searches.get(scope, "")
    return term if isinstance(term, str) else ""


def keep_search(request: HttpRequest, scope: str, term: str) -> None:
    """Keep ``term`` for this page (``scope``); an empty term forgets the search."""
    searches = dict(request.session.get(SESSION_KEY) or {})
    if term:
        searches[scope] = term
    elif scope in searches:
        del searches[scope]
    else:
        return
    request.session[SESSION_KEY] = searches
