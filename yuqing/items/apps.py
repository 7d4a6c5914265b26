from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ItemsConfig(AppConfig):
    name = "yuqing.items"
    verbose_name = _("舆情信息")
