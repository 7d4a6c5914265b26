from django.urls import path

from yuqing.web import views, views_events

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.items, name="items"),
    path("items/<int:item_id>/", views.item, name="item"),
    path("items/<int:item_id>/correct/", views_events.item_correct, name="item_correct"),
    path("sources/", views.sources, name="sources"),
    path("events/", views_events.events, name="events"),
    path("events/<int:event_id>/", views_events.event, name="event"),
    path("alerts/", views_events.alerts, name="alerts"),
    path("alerts/<int:alert_id>/ack/", views_events.alert_ack, name="alert_ack"),
    path("notifications/", views_events.notifications, name="notifications"),
    path("notifications/bell/", views_events.bell, name="bell"),
    path("plans/", views_events.plans, name="plans"),
    path("plans/new/", views_events.plan_edit, name="plan_new"),
    path("plans/<int:plan_id>/", views_events.plan_edit, name="plan_edit"),
    path("plans/check/", views_events.plan_check, name="plan_check"),
]
