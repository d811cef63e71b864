from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("me/week/", views.member_week, name="member_week"),
    path("groups/<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("groups/<int:pk>/impact/", views.group_impact, name="group_impact"),
    path("groups/<int:pk>/metrics/", views.metric_list, name="metric_list"),
    path(
        "groups/<int:pk>/metrics/<int:metric_pk>/archive/",
        views.metric_archive,
        name="metric_archive",
    ),
]
