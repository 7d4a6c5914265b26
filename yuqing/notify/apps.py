from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "yuqing.notify"
    verbose_name = _("通知")

    def ready(self) -> None:
        # Registers the notify handlers of hooks (yuqing.core.hooks): login locked → alert; case closed →
        # its task notifications closed.
        from yuqing.notify import hooks  # noqa: F401
