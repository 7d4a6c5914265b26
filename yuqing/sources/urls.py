from django.urls import path

from yuqing.sources import views

app_name = "sources"
urlpatterns = [
    path("sources/", views.health, name="health"),
]
