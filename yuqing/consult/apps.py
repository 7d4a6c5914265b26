from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultConfig(AppConfig):
    name = "yuqing.consult"
    verbose_name = _("会商与工作组决定")

    def ready(self) -> None:
        # Registers the 会商 and decision entries in the case timeline (cases.selectors.timeline_provider),
        # so the case page and the dossier (一案一档) show them.
        from yuqing.consult import selectors  # noqa: F401
