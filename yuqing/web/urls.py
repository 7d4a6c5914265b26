from django.urls import path

from yuqing.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("welcome/admin/", views.admin_start, name="admin_start"),
]
