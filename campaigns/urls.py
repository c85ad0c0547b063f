from django.urls import path

from campaigns import sequence_views, snippet_views, template_views, views

urlpatterns = [
    path("", views.campaign_list, name="campaign-list"),
    path("new/", views.campaign_new, name="campaign-new"),
    path("approvals/", views.approval_list, name="campaign-approvals"),
    path("snippets/", snippet_views.snippet_list, name="snippet-list"),
    path("snippets/new/", snippet_views.snippet_new, name="snippet-new"),
    path("snippets/<int:pk>/", snippet_views.snippet_edit, name="snippet-edit"),
    path(
        "whatsapp-templates/",
        template_views.whatsapp_template_list,
        name="whatsapp-template-list",
    ),
    path(
        "whatsapp-templates/sync/",
        template_views.whatsapp_templates_sync_now,
        name="whatsapp-templates-sync",
    ),
    path(
        "whatsapp-templates/picker/",
        template_views.whatsapp_template_picker,
        name="whatsapp-template-picker",
    ),
    path("<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("<int:pk>/progress/", views.campaign_progress, name="campaign-progress"),
    path("<int:pk>/deliveries/", views.campaign_deliveries, name="campaign-deliveries"),
    path("<int:pk>/basics/", views.campaign_basics, name="campaign-basics"),
    path("<int:pk>/audience/", views.campaign_audience, name="campaign-audience"),
    path(
        "<int:pk>/audience/counts/",
        views.campaign_audience_counts,
        name="campaign-audience-counts",
    ),
    path("<int:pk>/messages/", views.campaign_messages, name="campaign-messages"),
    path("<int:pk>/messages/preview/", views.campaign_message_preview, name="campaign-preview"),
    path("<int:pk>/messages/ab-test/", views.campaign_experiment, name="campaign-experiment"),
    path(
        "<int:pk>/messages/preview-creators/",
        views.campaign_preview_creators,
        name="campaign-preview-creators",
    ),
    path("<int:pk>/schedule/", views.campaign_schedule_step, name="campaign-schedule"),
    path("<int:pk>/review/", views.campaign_review, name="campaign-review"),
    path("<int:pk>/test-send/", views.campaign_test_send, name="campaign-test-send"),
    path(
        "<int:pk>/launch/counts/",
        views.campaign_launch_counts_fragment,
        name="campaign-launch-counts",
    ),
    path("<int:pk>/launch/", views.campaign_launch, name="campaign-launch"),
    path("<int:pk>/submit/", views.campaign_submit, name="campaign-submit"),
    path("<int:pk>/approve/", views.campaign_approve, name="campaign-approve"),
    path("<int:pk>/reject/", views.campaign_reject, name="campaign-reject"),
    path("<int:pk>/pause/", views.campaign_pause, name="campaign-pause"),
    path("<int:pk>/resume/", views.campaign_resume, name="campaign-resume"),
    path("<int:pk>/cancel/", views.campaign_cancel, name="campaign-cancel"),
    path("<int:pk>/resend/", views.campaign_resend, name="campaign-resend"),
    path("<int:pk>/sequence/", sequence_views.campaign_sequence, name="campaign-sequence"),
    path(
        "<int:pk>/sequence/exit/",
        sequence_views.campaign_sequence_exit,
        name="campaign-sequence-exit",
    ),
    path(
        "<int:pk>/sequence/steps/new/",
        sequence_views.campaign_sequence_step_new,
        name="campaign-sequence-step-new",
    ),
    path(
        "<int:pk>/sequence/steps/preview/",
        sequence_views.campaign_sequence_step_preview,
        name="campaign-sequence-step-preview",
    ),
    path(
        "<int:pk>/sequence/steps/<int:step_id>/edit/",
        sequence_views.campaign_sequence_step_edit,
        name="campaign-sequence-step-edit",
    ),
    path(
        "<int:pk>/sequence/flow/",
        sequence_views.campaign_sequence_flow,
        name="campaign-sequence-flow",
    ),
    path(
        "<int:pk>/sequence/<int:step_id>/reach/",
        sequence_views.campaign_sequence_step_reach,
        name="campaign-sequence-step-reach",
    ),
    path(
        "<int:pk>/sequence/<int:step_id>/",
        sequence_views.campaign_sequence_step,
        name="campaign-sequence-step",
    ),
]
