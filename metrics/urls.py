from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("me/week/", views.member_week, name="member_week"),
    path("me/export.csv", views.my_export, name="my_export"),
    path("me/export.zip", views.my_data_export, name="my_data_export"),
    path("groups/<id:pk>/export.csv", views.group_export, name="group_export"),
    path("groups/<id:pk>/actions/new/", views.action_create, name="action_create"),
    path("actions/<id:pk>/edit/", views.action_edit, name="action_edit"),
    path("actions/<id:pk>/delete/", views.action_delete, name="action_delete"),
    path("actions/deleted/<id:pk>/", views.action_restore, name="action_restore"),
    path("groups/<id:pk>/impact/", views.group_impact, name="group_impact"),
    path("groups/<id:pk>/metrics/", views.metric_list, name="metric_list"),
    path("groups/<id:pk>/ranking/", views.group_ranking, name="group_ranking"),
    path("groups/<id:pk>/measurements/new/", views.measurement_create, name="measurement_create"),
    path("groups/<id:pk>/metrics/<id:metric_pk>/edit/", views.metric_edit, name="metric_edit"),
    path("groups/<id:pk>/metrics/<id:metric_pk>/adopt/", views.metric_adopt, name="metric_adopt"),
    path(
        "networks/<slug:slug>/leaderboard/", views.network_leaderboard, name="network_leaderboard"
    ),
    path("networks/<slug:slug>/export.zip", views.network_export, name="network_export"),
    path(
        "groups/<id:pk>/metrics/<id:metric_pk>/archive/",
        views.metric_archive,
        name="metric_archive",
    ),
]
