from django.urls import path

from dashboard import views

urlpatterns = [
    path("", views.home, name="home"),
    path("home/runs/", views.home_runs, name="home-runs"),
    path("health/", views.health, name="health"),
    path("metrics", views.metrics, name="metrics"),
]
