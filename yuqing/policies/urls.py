from django.urls import path

from yuqing.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.index, name="list"),
    path("new/", views.edit, name="create"),
    path("<int:policy_id>/", views.detail, name="detail"),
    path("<int:policy_id>/edit/", views.edit, name="edit"),
]
