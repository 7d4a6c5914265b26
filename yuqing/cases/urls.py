from django.urls import path

from yuqing.cases import views, views_response

app_name = "cases"
urlpatterns = [
    path("", views.case_index, name="list"),
    path("new/", views.case_new, name="new"),
    path("late/", views.late_board, name="late"),
    path("accountability/", views.accountability_board, name="accountability_board"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/dossier/", views.case_dossier, name="dossier"),
    path("<int:case_id>/move/", views.case_move, name="move"),
    path("<int:case_id>/verifications/", views.verification_assign, name="verification_assign"),
    path("<int:case_id>/verifications/<int:task_id>/", views.verification, name="verification"),
    path("<int:case_id>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<int:case_id>/attachments/<int:attachment_id>/", views.attachment_download, name="attachment"),
    path("<int:case_id>/reports/new/", views.report_new, name="report_new"),
    path("<int:case_id>/reports/<int:report_id>/", views.report, name="report"),
    path("<int:case_id>/reports/<int:report_id>/sign/", views.report_sign, name="report_sign"),
    path("<int:case_id>/plans/", views_response.plan_create, name="plan_create"),
    path("<int:case_id>/plans/<int:plan_id>/", views_response.plan_action, name="plan_action"),
    path("<int:case_id>/actions/", views_response.action_create, name="action_create"),
    path(
        "<int:case_id>/actions/<int:action_id>/done/", views_response.action_complete, name="action_complete"
    ),
    path("<int:case_id>/finding/", views_response.finding_set, name="finding"),
    path("<int:case_id>/severity/", views_response.severity_set, name="severity"),
    path("<int:case_id>/accountability/", views_response.accountability, name="accountability"),
    path("<int:case_id>/source-requests/", views_response.source_request, name="source_request"),
    path(
        "<int:case_id>/source-requests/<int:row_id>/answer/",
        views_response.source_answer,
        name="source_answer",
    ),
    path("<int:case_id>/coordination/", views_response.coordination, name="coordination"),
    path("<int:case_id>/evaluation/", views_response.evaluation, name="evaluation"),
]
