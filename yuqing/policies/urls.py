from django.urls import path

from yuqing.policies import views

app_name = "policies"
urlpatterns = [
    path("", views.index, name="list"),
]
