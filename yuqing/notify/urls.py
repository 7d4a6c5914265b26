from django.urls import path

from yuqing.notify import views

app_name = "notify"
urlpatterns = [
    path("duty/", views.duty, name="duty"),
    path("preferences/", views.preferences, name="preferences"),
    path("deliveries/", views.deliveries, name="deliveries"),
]
