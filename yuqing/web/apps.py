from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "yuqing.web"
    verbose_name = "界面"
