from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {"SITE_NAME": "涉税舆情监测与应急处置系统", "DEMO": settings.DEMO}
