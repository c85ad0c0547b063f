from django.urls import path

from creators import views

urlpatterns = [
    path("", views.creator_list, name="creator-list"),
    path("<int:pk>/", views.creator_detail, name="creator-detail"),
    path("<int:pk>/edit/", views.creator_edit, name="creator-edit"),
    path("<int:pk>/consent/", views.creator_consent, name="creator-consent"),
    path("bulk/tag/", views.creator_bulk_tag, name="creator-bulk-tag"),
    path("bulk/export/", views.creator_bulk_export, name="creator-bulk-export"),
    path("import/", views.creator_import, name="creator-import"),
    path("import/<int:pk>/", views.creator_import_job, name="creator-import-job"),
    path("import/sample.csv", views.creator_import_sample, name="creator-import-sample"),
    path("imports/", views.creator_import_list, name="creator-import-list"),
]
