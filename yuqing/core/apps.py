from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yuqing.core"
    verbose_name = "基础"
