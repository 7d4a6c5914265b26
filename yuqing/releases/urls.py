from django.urls import path

from yuqing.releases import views

app_name = "releases"
urlpatterns = [
    path("", views.index, name="list"),
]
