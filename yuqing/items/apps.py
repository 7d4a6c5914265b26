from django.apps import AppConfig


class ItemsConfig(AppConfig):
    name = "yuqing.items"
    verbose_name = "舆情信息"
