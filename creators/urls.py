from django.urls import path

from creators import views

urlpatterns = [
    path("", views.creator_list, name="creator-list"),
]
