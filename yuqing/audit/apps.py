from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "yuqing.audit"
    verbose_name = "审计"
