from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "yuqing.org"
    verbose_name = "组织与账户"
