from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "yuqing.releases"
    verbose_name = "信息发布与舆论引导"
