from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from yuqing.api.urls import api

admin.site.site_header = "涉税舆情监测与应急处置系统 · 管理"
admin.site.site_title = "舆情系统管理"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("org/", include("yuqing.org.urls")),
    path("audit/", include("yuqing.audit.urls")),
    path("cases/", include("yuqing.cases.urls")),
    path("releases/", include("yuqing.releases.urls")),
    path("policies/", include("yuqing.policies.urls")),
    path("consult/", include("yuqing.consult.urls")),
    # Pages whose paths start at the root (/items/, /events/, /alerts/, /plans/, /notifications/, …).
    path("", include("yuqing.notify.urls")),
    path("", include("yuqing.items.urls")),
    path("", include("yuqing.events.urls")),
    path("", include("yuqing.sources.urls")),
    path("", include("yuqing.web.urls")),
]
if settings.DEMO:
    urlpatterns.append(path("demo/", include("yuqing.demo.urls")))
