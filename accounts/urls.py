from django.urls import path

from accounts import views

urlpatterns = [
    path("team/", views.team, name="team"),
    path("team/invite/", views.team_invite, name="team-invite"),
    path("team/<int:user_pk>/role/", views.team_role, name="team-role"),
    path("team/<int:user_pk>/deactivate/", views.team_deactivate, name="team-deactivate"),
    path("team/<int:user_pk>/invite-again/", views.team_invite_again, name="team-invite-again"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation-accept"),
]
