from django.urls import path

from markets import views

urlpatterns = [
    path("", views.playbook_list, name="playbook-list"),
    path("compare/", views.market_compare, name="market-compare"),
    path("playbooks/new/", views.playbook_new, name="playbook-new"),
    path("playbooks/import/", views.playbook_import, name="playbook-import"),
    path(
        "playbooks/import/sample.csv",
        views.playbook_import_sample,
        name="playbook-import-sample",
    ),
    path("playbooks/<int:pk>/", views.playbook_detail, name="playbook-detail"),
    path("playbooks/<int:pk>/edit/", views.playbook_edit, name="playbook-edit"),
    path("playbooks/<int:pk>/adapt/", views.playbook_adapt, name="playbook-adapt"),
    path("campaigns/<int:pk>/plan/", views.adaptation_plan, name="adaptation-plan"),
    path("proposals/", views.proposal_list, name="proposal-list"),
    path("proposals/new/", views.proposal_new, name="proposal-new"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path("proposals/<int:pk>/edit/", views.proposal_edit, name="proposal-edit"),
    path("proposals/<int:pk>/move/", views.proposal_move, name="proposal-move"),
    path("proposals/<int:pk>/outcome/", views.proposal_outcome, name="proposal-outcome"),
]
