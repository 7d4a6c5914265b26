from django.urls import path

from yuqing.events import views

app_name = "events"
urlpatterns = [
    path("events/", views.event_list, name="list"),
    path("events/<int:event_id>/", views.event_detail, name="detail"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:alert_id>/ack/", views.alert_ack, name="alert_ack"),
    path("items/<int:item_id>/correct/", views.label_correct, name="label_correct"),
    path("plans/", views.monitoring_plans, name="monitoring_plans"),
    path("plans/new/", views.monitoring_plan_edit, name="monitoring_plan_new"),
    path("plans/<int:plan_id>/", views.monitoring_plan_edit, name="monitoring_plan_edit"),
    path("plans/check/", views.monitoring_plan_check, name="monitoring_plan_check"),
]
