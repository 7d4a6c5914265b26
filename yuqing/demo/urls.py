from django.urls import path

from yuqing.demo import views

app_name = "demo"
urlpatterns = [path("feeds/<slug:slug>.xml", views.feed, name="feed")]
