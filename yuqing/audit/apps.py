from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "yuqing.audit"
    verbose_name = _("审计")

    def ready(self) -> None:
        from yuqing.audit.services import audit_record
        from yuqing.core.statemachine import wire_audit

        wire_audit(audit_record)
