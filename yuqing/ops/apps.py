"""Running the whole system: ``yuqing setup``, ``yuqing run`` and ``yuqing serve``.

The commands that start the web server and bring the demo up sit above every domain app (they load the
URL configuration and the demo), so they live here rather than in ``core``, which imports no domain app.
``worker`` and ``scheduler`` need no domain app and stay in ``core``; each domain command lives in the
app that owns it (``import`` in items, ``poll``/``source`` in sources, ``token`` in org, ``train`` in
events, ``audit`` in audit, ``policy`` in policies)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "yuqing.ops"
    verbose_name = _("运行")
