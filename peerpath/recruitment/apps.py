from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    name = "peerpath.recruitment"
    label = "recruitment"

    def ready(self) -> None:
        from peerpath.core.navigation import register_home_panel, register_nav
        from peerpath.programs.signals import program_created
        from peerpath.recruitment import defaults, panels

        program_created.connect(defaults.seed_screening, dispatch_uid="recruitment.seed_screening")

        register_nav("Recruitment", "recruitment:board", "recruitment.view_board", order=10)
        register_nav("Screening setup", "recruitment:setup", "recruitment.edit_screening_setup", order=85)
        register_nav("My pathway", "recruitment:my_pathway", "recruitment.view_own_pathway", order=5)
        register_home_panel("recruitment", panels.coordinator_panel, order=10)
        register_home_panel("my_pathway", panels.my_pathway_panel, order=5)
