from django.urls import path

from tracking import dashboard, views, webhooks

urlpatterns = [
    path("hooks/twilio/status", webhooks.twilio_status, name="twilio-status"),
    path("hooks/sendgrid/events", webhooks.sendgrid_events, name="sendgrid-events"),
    path("t/o/<str:token>.gif", views.open_pixel, name="tracking-open"),
    path("t/c/<str:token>", views.click_redirect, name="tracking-click"),
    path("stats/campaigns/", dashboard.campaign_list, name="stats-campaigns"),
    path("stats/campaigns/<int:pk>/", dashboard.campaign_stats, name="stats-campaign"),
    path(
        "stats/campaigns/<int:pk>/stats.csv",
        dashboard.campaign_stats_csv,
        name="stats-campaign-csv",
    ),
    path(
        "stats/campaigns/<int:pk>/summary/",
        dashboard.campaign_summary,
        name="stats-campaign-summary",
    ),
    path(
        "stats/campaigns/<int:pk>/retarget/",
        dashboard.campaign_retarget,
        name="stats-campaign-retarget",
    ),
    path(
        "stats/campaigns/<int:pk>/follow-up/",
        dashboard.campaign_follow_up,
        name="stats-campaign-follow-up",
    ),
    path(
        "stats/campaigns/<int:pk>/deliveries.csv",
        dashboard.campaign_deliveries_csv,
        name="stats-campaign-deliveries-csv",
    ),
]
