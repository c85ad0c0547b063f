from django.urls import path

from programs import views

urlpatterns = [
    path("", views.program_list, name="program-list"),
    path("new/", views.program_new, name="program-new"),
    path("join/<str:token>/", views.program_join, name="program-join"),
    path("calendar/", views.program_calendar, name="program-calendar"),
    path("metrics/", views.metric_health_page, name="metric-health"),
    path("holdout/", views.program_holdout, name="program-holdout"),
    path("metrics/import/", views.metric_health_import, name="metric-health-import"),
    path("<int:pk>/", views.program_detail, name="program-detail"),
    path("<int:pk>/edit/", views.program_edit, name="program-edit"),
    path("<int:pk>/leaderboard/", views.program_leaderboard, name="program-leaderboard"),
    path("<int:pk>/enrol/", views.program_enrol, name="program-enrol"),
    path("<int:pk>/metrics/", views.program_metrics_import, name="program-metrics-import"),
    path("<int:pk>/band-message/", views.program_band_message, name="program-band-message"),
    path("<int:pk>/post-mortem/", views.program_postmortem, name="program-postmortem"),
    path("<int:pk>/post-mortem.csv", views.program_postmortem_csv, name="program-postmortem-csv"),
    path("readiness/<int:campaign_pk>/", views.campaign_readiness, name="campaign-readiness"),
    path(
        "readiness/<int:campaign_pk>/items/",
        views.campaign_checklist_add,
        name="campaign-checklist-add",
    ),
    path(
        "readiness/<int:campaign_pk>/items/<int:item_pk>/",
        views.campaign_checklist_tick,
        name="campaign-checklist-tick",
    ),
    path(
        "readiness/<int:campaign_pk>/override/",
        views.campaign_readiness_override,
        name="campaign-readiness-override",
    ),
]
