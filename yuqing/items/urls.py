from django.urls import path

from yuqing.items import views

app_name = "items"
urlpatterns = [
    path("items/", views.item_list, name="list"),
    path("items/<int:item_id>/", views.item_detail, name="detail"),
    path("items/synonyms/", views.synonyms, name="synonyms"),
    path("items/synonyms/<int:synonym_id>/", views.synonym_edit, name="synonym_edit"),
    path("items/synonyms/<int:synonym_id>/delete/", views.synonym_delete, name="synonym_delete"),
]
