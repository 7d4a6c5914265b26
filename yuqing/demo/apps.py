from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "yuqing.demo"
    verbose_name = "演示"
