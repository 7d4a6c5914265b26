from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReleasesConfig(AppConfig):
    name = "yuqing.releases"
    verbose_name = _("信息发布与舆论引导")

    def ready(self) -> None:
        # Registers the releases' entries in the case timeline (cases.selectors.timeline_provider), its
        # sections of the dossier (cases.dossier.dossier_provider) and its handlers of the cases' hooks
        # (yuqing.core.hooks): case opened → release deadlines.
        from yuqing.releases import dossier, hooks, selectors  # noqa: F401
