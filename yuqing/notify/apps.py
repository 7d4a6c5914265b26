from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "yuqing.notify"
    verbose_name = "通知"
