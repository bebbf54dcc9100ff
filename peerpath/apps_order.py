"""The order of PeerPath's apps: the supporter's pathway, then the apps that read all of it.

An app may import the apps before it in ``APPS``, never one after it: not at module level,
not inside a function, not under ``TYPE_CHECKING``. Where a lower app needs an answer only a
higher one has, the lower app owns a small registry that the higher one registers into in its
``AppConfig.ready()`` (``core.navigation``, ``core.permissions.register_membership_lookup``,
``support.availability``, ``training.extensions``, ``notifications.kinds``). ``tests/test_architecture.py`` checks
every module, and ``INSTALLED_APPS`` lists the apps in this order.
"""

APPS: tuple[str, ...] = (
    # The pathway: each app builds on the ones before it.
    "core",
    "programs",
    # Telling people: the inbox, e-mail and text messages; the apps above register their kinds.
    "notifications",
    "recruitment",
    "training",
    "certification",
    # The practice lab: scripted conversations with feedback; evidence and certification hooks.
    "practice",
    "support",
    "care",
    "groups",
    "plans",
    # The participant's side: their voice, outcome measures, summaries to share.
    "voice",
    # The service-hours ledger: reads what the apps above record.
    "hours",
    # Credentials: qualifications that gate work, initial-credential progress (reads care and hours).
    "credentials",
    # Readers of every app above.
    "reports",
    "exchange",
    "api",
    # Demo data for all of them.
    "demo",
)
