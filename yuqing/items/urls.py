from django.urls import path

from yuqing.items import views

app_name = "items"
urlpatterns = [
    path("items/", views.item_list, name="list"),
    path("items/<int:item_id>/", views.item_detail, name="detail"),
]
