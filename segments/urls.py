from django.urls import path

from segments import views

urlpatterns = [
    path("", views.segment_list, name="segment-list"),
    path("new/", views.segment_create, name="segment-create"),
    path("preview/", views.segment_preview, name="segment-preview"),
    path("lists/new/", views.segment_list_new, name="segment-list-new"),
    path("add-creators/", views.segment_add_creators, name="segment-add-creators"),
    path("<int:pk>/", views.segment_detail, name="segment-detail"),
    path("<int:pk>/reach/", views.segment_reach, name="segment-reach"),
    path("<int:pk>/edit/", views.segment_edit, name="segment-edit"),
]
