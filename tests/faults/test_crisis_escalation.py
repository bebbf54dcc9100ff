"""Fault: the worker and the scheduler are stopped when a crisis passes its acknowledgement
deadline. The crisis must still escalate, once, from the next staff page view in its program,
even when several staff pages are opened at the same moment (two noticers racing)."""

from __future__ import annotations

import signal
from concurrent.futures import ThreadPoolExecutor

from tests.faults.running import PYTHON, Browser, sqlite_site, wait_for

RAISE = """
import json
from peerpath.core.models import User
from peerpath.support.models import SupportRelationship
from peerpath.support.services import concerns
rel = SupportRelationship.objects.get(pk={relationship})
concern = concerns.raise_concern(actor=User.objects.get(email={supporter!r}), relationship=rel, kind="crisis",
                                 answers=[], notes="")
print(json.dumps({{"concern": concern.pk}}))
"""

# Time passes: the first step's deadline (30 minutes) is over.
PAST_DEADLINE = """
import datetime as dt, json
from django.utils import timezone
from peerpath.support.models import Concern
past = timezone.now() - dt.timedelta(minutes=1)
print(json.dumps(Concern.objects.filter(pk={concern}).update(acknowledge_by=past, next_step_at=past)))
"""

STATE = """
import json
from peerpath.core.models import AuditEntry
from peerpath.core.models import OutgoingEmail
from peerpath.support.models import Concern, ConcernEvent
from peerpath.notifications.models import Notice as Notification
c = Concern.objects.get(pk={concern})
print(json.dumps({{
    "alerted": [a["user"] for a in c.alerted],
    "escalated": list(ConcernEvent.objects.filter(concern=c, action="escalated").values_list("detail", flat=True)),
    "audited": AuditEntry.objects.filter(action="concern.escalate", target_id=str(c.pk)).count(),
    "notified": Notification.objects.filter(about="support.concern:" + str(c.pk), text__startswith="ESCALATED").count(),
    "mails": [[m.to, m.subject] for m in OutgoingEmail.objects.all()],
}}, default=str))
"""


def test_a_crisis_escalates_once_from_a_staff_page_view_with_worker_and_scheduler_stopped() -> None:
    site, people = sqlite_site("crisis")
    try:
        # The worker and the scheduler run, and are stopped before the crisis's deadline.
        site.start("worker", PYTHON, "manage.py", "run_worker", "--no-reload", "--interval", "0.5")
        site.start("scheduler", PYTHON, "manage.py", "run_scheduler", "--interval", "1")
        wait_for(lambda: "leading" in site.log("scheduler"), 60, "the scheduler to lead")
        concern = site.shell(RAISE.format(**people))["concern"]
        site.stop("worker", signal.SIGKILL)
        site.stop("scheduler", signal.SIGKILL)
        site.shell(PAST_DEADLINE.format(concern=concern))
        url = site.web()

        # A supporter's page view is not a staff page view: nothing happens yet.
        supporter = Browser(url)
        supporter.log_in(people["supporter"])
        assert supporter.request("GET", f"/p/{people['program']}/").status_code == 200
        before = site.shell(STATE.format(concern=concern))
        assert len(before["alerted"]) == 1 and before["escalated"] == []

        # Four staff pages opened at the same moment: one escalation step, not four.
        staff = [Browser(url) for _ in range(4)]
        for browser, role in zip(staff, ["coordinator", "trainer", "supervisor", "coordinator"], strict=True):
            browser.log_in(people[role])
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda b: b.request("GET", f"/p/{people['program']}/").status_code, staff))
        assert answers == [200, 200, 200, 200]
        after = site.shell(STATE.format(concern=concern))
        assert len(after["alerted"]) == 2, after
        assert len(after["escalated"]) == 1 and "noticed by a page view" in after["escalated"][0], after
        assert after["audited"] == 1 and after["notified"] == 1, after
        coordinator_mails = [m for m in after["mails"] if m[0] == [people["coordinator"]] and "Escalated" in m[1]]
        assert len(coordinator_mails) == 1, after["mails"]

        # More page views: still once (the next step is not due for another 15 minutes).
        for browser in staff:
            assert browser.request("GET", f"/p/{people['program']}/").status_code == 200
        again = site.shell(STATE.format(concern=concern))
        assert again["escalated"] == after["escalated"] and again["notified"] == 1
    finally:
        site.stop_all()
