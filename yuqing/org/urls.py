from django.urls import path

from yuqing.org import views

app_name = "org"
urlpatterns = [
    path("roster/", views.roster, name="roster"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("agencies/", views.agencies, name="agencies"),
]
