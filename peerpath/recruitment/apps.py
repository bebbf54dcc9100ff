from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "peerpath.recruitment"
    label = "recruitment"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from peerpath.core.navigation import MINE, PEOPLE, SETUP, register_home_panel, register_nav
        from peerpath.programs.signals import program_created
        from peerpath.recruitment import defaults, panels

        program_created.connect(defaults.seed_screening, dispatch_uid="recruitment.seed_screening")

        register_nav(_("Recruitment"), "recruitment:board", "recruitment.view_board", group=PEOPLE.key, order=10)
        register_nav(
            _("Screening setup"), "recruitment:setup", "recruitment.edit_screening_setup", group=SETUP.key, order=85
        )
        register_nav(_("My pathway"), "recruitment:my_pathway", "recruitment.view_own_pathway", group=MINE.key, order=5)
        register_home_panel("recruitment", panels.coordinator_panel, order=10)
        register_home_panel("my_pathway", panels.my_pathway_panel, order=5)
