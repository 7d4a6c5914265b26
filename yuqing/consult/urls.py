from django.urls import path

from yuqing.consult import views

app_name = "consult"
urlpatterns = [
    path("cases/<int:case_id>/", views.case_records, name="case"),
    path("cases/<int:case_id>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("cases/<int:case_id>/decisions/new/", views.decision_new, name="decision_new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("actions/<int:pk>/complete/", views.action_complete, name="action_complete"),
]
