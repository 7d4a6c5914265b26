from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "yuqing.policies"
    verbose_name = _("政策库（解疑释惑）")
