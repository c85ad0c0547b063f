"""Every agencies route. tests/agencies/test_scoping.py walks this list: a new route is
requested with another agency's ids automatically."""

from django.urls import path

from agencies import views

urlpatterns = [
    # The agency portal.
    path("agency/", views.agency_home, name="agency-home"),
    path("agency/briefs/<int:brief_pk>/", views.agency_brief, name="agency-brief"),
    path(
        "agency/deliverables/<int:deliverable_pk>/start/",
        views.deliverable_start,
        name="deliverable-start",
    ),
    path(
        "agency/deliverables/<int:deliverable_pk>/submit/",
        views.deliverable_submit,
        name="deliverable-submit",
    ),
    # Both sides, scoped per object.
    path(
        "work/deliverables/<int:deliverable_pk>/",
        views.deliverable_detail,
        name="deliverable-detail",
    ),
    path(
        "work/deliverables/<int:deliverable_pk>/diff/",
        views.deliverable_diff,
        name="deliverable-diff",
    ),
    path("work/versions/<int:version_pk>/file/", views.version_file, name="version-file"),
    path("work/versions/<int:version_pk>/comments/", views.comment_add, name="comment-add"),
    path("work/comments/<int:comment_pk>/resolve/", views.comment_resolve, name="comment-resolve"),
    path("notifications/", views.notification_list, name="notification-list"),
    path(
        "notifications/<int:notification_pk>/open/",
        views.notification_open,
        name="notification-open",
    ),
    # Ops: agencies and their people.
    path("agencies/teams/", views.agency_list, name="agency-list"),
    path("agencies/teams/<int:agency_pk>/", views.agency_detail, name="agency-detail"),
    path(
        "agencies/teams/<int:agency_pk>/invite/",
        views.agency_member_invite,
        name="agency-member-invite",
    ),
    path(
        "agencies/teams/<int:agency_pk>/members/<int:user_pk>/invite-again/",
        views.agency_member_invite_again,
        name="agency-member-invite-again",
    ),
    path(
        "agencies/teams/<int:agency_pk>/members/<int:user_pk>/remove/",
        views.agency_member_remove,
        name="agency-member-remove",
    ),
    # Ops.
    path("agencies/", views.tracking, name="agency-tracking"),
    path("agencies/briefs/", views.brief_list, name="brief-list"),
    path("agencies/briefs/new/", views.brief_new, name="brief-new"),
    path("agencies/briefs/<int:brief_pk>/", views.brief_detail, name="brief-detail"),
    path(
        "agencies/briefs/<int:brief_pk>/deliverables/new/",
        views.deliverable_new,
        name="deliverable-new",
    ),
    path("agencies/versions/<int:version_pk>/review/", views.version_review, name="version-review"),
    path(
        "agencies/deliverables/<int:deliverable_pk>/deliver/",
        views.deliverable_deliver,
        name="deliverable-deliver",
    ),
    path(
        "agencies/deliverables/<int:deliverable_pk>/to-education/",
        views.deliverable_to_education,
        name="deliverable-to-education",
    ),
]
