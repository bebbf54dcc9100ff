import datetime as dt

from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "peerpath.credentials"
    label = "credentials"
    verbose_name = "Credentials"

    def ready(self) -> None:
        from peerpath.credentials import notice_kinds

        notice_kinds.register()
        from django.utils.translation import gettext_lazy as _

        from peerpath.core.navigation import MINE, TRAINING, register_nav, register_settings
        from peerpath.core.scheduler import register_periodic
        from peerpath.credentials import defaults, holds, panels, queries, tasks
        from peerpath.groups.facilitation import register_facilitation_hold
        from peerpath.programs.signals import program_created
        from peerpath.support.availability import register_hold_back
        from peerpath.training.extensions import (
            register_coverage_source,
            register_evidence_source,
            register_roster_status,
            register_trainee_section,
        )

        program_created.connect(defaults.seed_qualifications, dispatch_uid="credentials.seed_qualifications")
        # An expired required qualification holds the supporter back from that work.
        register_hold_back("qualifications", holds.matching_holds)
        register_facilitation_hold("qualifications", holds.facilitation_holds)
        register_nav(
            _("Qualifications"), "credentials:qualifications", "credentials.manage", group=TRAINING.key, order=29
        )
        register_nav(_("My qualifications"), "credentials:mine", "credentials.own", group=MINE.key, order=31)
        register_nav(_("My credential"), "credentials:my_progress", "credentials.own", group=MINE.key, order=32)
        register_nav(_("My learning"), "credentials:my_learning", "credentials.learn", group=MINE.key, order=33)
        register_nav(_("Learning library"), "credentials:learning", "credentials.teach", group=TRAINING.key, order=27)
        register_nav(
            _("Learning progress"), "credentials:learning_progress", "credentials.teach", group=TRAINING.key, order=28
        )
        # Trainers see their trainees' self-paced learning on the cohort roster.
        register_roster_status("learning", panels.roster_learning)
        register_trainee_section("learning", panels.trainee_learning, order=60)
        # Completed modules are evidence of the competencies they build.
        register_evidence_source("learning", queries.evidence_by_competency)
        # Where the program allows it, a completed module makes up a missed course session on its topic.
        register_coverage_source("learning", queries.topic_credits, queries.topic_offers)
        register_settings(
            _("Initial credential"),
            "credentials:setup",
            "credentials.manage",
            description=_(
                "What a supporter works toward: training hours by domain, supervised and experience hours, "
                "documents, the exam."
            ),
            order=42,
        )
        register_periodic(
            "credentials.qualification_reminders", tasks.daily_qualification_reminders, dt.timedelta(days=1)
        )
