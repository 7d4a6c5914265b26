"""The project's URLs plus the notify pages, until the root URLconf includes them."""

from django.urls import include, path

from yuqing.urls import urlpatterns as root

urlpatterns = list(root)
if not any(getattr(p, "namespace", None) == "notify" for p in root):
    urlpatterns.insert(0, path("notify/", include("yuqing.notify.urls")))
