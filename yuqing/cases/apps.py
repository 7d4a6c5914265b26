from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "yuqing.cases"
    verbose_name = "应急处置"
