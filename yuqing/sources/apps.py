from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SourcesConfig(AppConfig):
    name = "yuqing.sources"
    verbose_name = _("监测源")
