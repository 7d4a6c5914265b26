from django.urls import path

from yuqing.notify import views

app_name = "notify"
urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/bell/", views.bell, name="bell"),
    path("notifications/<int:pk>/open/", views.notification_open, name="open"),
    path("notify/duty/", views.duty, name="duty"),
    path("notify/preferences/", views.preferences, name="preferences"),
    path("notify/deliveries/", views.deliveries, name="deliveries"),
]
