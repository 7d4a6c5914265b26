from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "yuqing.events"
    verbose_name = "舆情事件与预警"
