from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "yuqing.org"
    verbose_name = _("组织与账户")

    def ready(self) -> None:
        from yuqing.core.statemachine import wire_roles
        from yuqing.org.access import role_labels, roles_of

        wire_roles(roles_of, role_labels)
