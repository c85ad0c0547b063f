from django.urls import path

from markets import views

urlpatterns = [
    path("", views.playbook_list, name="playbook-list"),
    path("compare/", views.market_compare, name="market-compare"),
    path("playbooks/new/", views.playbook_new, name="playbook-new"),
    path("playbooks/import/", views.playbook_import, name="playbook-import"),
    path("playbooks/<int:pk>/", views.playbook_detail, name="playbook-detail"),
    path("playbooks/<int:pk>/edit/", views.playbook_edit, name="playbook-edit"),
    path("playbooks/<int:pk>/adapt/", views.playbook_adapt, name="playbook-adapt"),
]
