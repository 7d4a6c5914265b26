from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "yuqing.policies"
    verbose_name = "政策库（解疑释惑）"
