from django.urls import path

from yuqing.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.index, name="list"),
]
