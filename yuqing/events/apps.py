from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "yuqing.events"
    verbose_name = _("舆情事件与预警")

    def ready(self) -> None:
        # Registers the events' handlers of other apps' hooks (yuqing.core.hooks).
        from yuqing.events import hooks  # noqa: F401
