from django.urls import path

from yuqing.releases import views

app_name = "releases"
urlpatterns = [
    path("", views.index, name="list"),
    path("new/", views.release_new, name="new"),
    path("<int:pk>/", views.release_detail, name="detail"),
    path("<int:pk>/edit/", views.release_edit, name="edit"),
    path("<int:pk>/submit/", views.release_submit, name="submit"),
    path("<int:pk>/review/", views.release_review, name="review"),
    path("<int:pk>/sign/", views.release_sign, name="sign"),
    path("<int:pk>/publish/", views.release_publish, name="publish"),
    path("points/", views.points, name="points"),
    path("points/new/", views.point_new, name="point_new"),
    path("tasks/", views.tasks, name="tasks"),
    path("tasks/<int:pk>/post/", views.task_post, name="task_post"),
    path("cases/<int:case_id>/", views.case_overview, name="case"),
]
