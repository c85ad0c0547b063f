from django.urls import path

from portal import ops, views

urlpatterns = [
    path("p/<str:token>/", views.magic_link, name="portal-magic-link"),
    path("me/", views.inbox, name="portal-inbox"),
    path("me/inbox/<int:pk>/", views.inbox_message, name="portal-inbox-message"),
    path("me/learn/", views.library, name="portal-library"),
    path("me/paths/<slug:slug>/", views.path_detail, name="portal-path"),
    path("me/preferences/", views.preferences, name="portal-preferences"),
    path("me/preferences/<str:token>/", views.preferences_link, name="portal-preferences-link"),
    path("me/sign-out/", views.sign_out, name="portal-sign-out"),
    path("learn/<slug:slug>/", views.learn_item, name="portal-learn"),
    path("learn/<slug:slug>/progress/", views.learn_progress, name="portal-learn-progress"),
    path("u/<str:token>/", views.unsubscribe, name="portal-unsubscribe"),
    # Ops pages about a creator's portal (ops sign-in; portal/ops.py).
    path("creators/<int:pk>/portal-link/", ops.creator_portal_link, name="creator-portal-link"),
    path(
        "creators/<int:pk>/portal/<slug:page>/",
        ops.creator_portal_preview,
        name="creator-portal-preview",
    ),
]
