from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "yuqing.sources"
    verbose_name = "监测源"
