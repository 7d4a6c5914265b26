from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "yuqing.cases"
    verbose_name = _("应急处置")

    def ready(self) -> None:
        # Registers the cases' handlers of other apps' hooks (yuqing.core.hooks).
        from yuqing.cases import hooks  # noqa: F401
        from yuqing.cases.access import case_levels
        from yuqing.org.clearance import case_levels_provider

        case_levels_provider(case_levels)  # what notify and audit redact by
