from django.urls import path

from segments import views

urlpatterns = [
    path("", views.segment_list, name="segment-list"),
]
