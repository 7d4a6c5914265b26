from django.urls import path

from yuqing.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("items/", views.items, name="items"),
    path("items/<int:item_id>/", views.item, name="item"),
    path("sources/", views.sources, name="sources"),
]
