from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "yuqing.releases"
    verbose_name = "信息发布与舆论引导"

    def ready(self) -> None:
        # Registers the releases' entries in the case timeline (cases.selectors.timeline_provider).
        from yuqing.releases import selectors  # noqa: F401
