from django.urls import path

from education import views

urlpatterns = [
    path("", views.item_list, name="education-list"),
    path("new/", views.item_create, name="education-item-create"),
    path("<int:pk>/", views.item_edit, name="education-item"),
    path("<int:pk>/status/", views.item_transition, name="education-item-transition"),
    path("paths/new/", views.path_create, name="education-path-create"),
    path("paths/<int:pk>/", views.path_edit, name="education-path"),
    path("analytics/", views.education_analytics, name="education-analytics"),
]
