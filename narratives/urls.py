from django.urls import path

from narratives import views

app_name = "narratives"

urlpatterns = [
    path("networks/<slug:slug>/narrative/", views.network_narrative, name="network_narrative"),
    path(
        "networks/<slug:slug>/narratives/new/",
        views.narrative_create,
        name="network_narrative_create",
    ),
    path("networks/<slug:slug>/questions/", views.questions_board, name="questions_board"),
    path("groups/<id:pk>/narratives/new/", views.narrative_create, name="group_narrative_create"),
    path(
        "groups/<id:pk>/narratives/<id:narrative_pk>/adopt/",
        views.narrative_adopt,
        name="narrative_adopt",
    ),
    path("groups/<id:pk>/questions/", views.group_questions, name="group_questions"),
    path("groups/<id:pk>/initiatives/", views.initiatives, name="initiatives"),
    path("groups/<id:pk>/help/", views.help_list, name="help_list"),
    path("narratives/<id:pk>/", views.narrative_detail, name="narrative_detail"),
    path("narratives/<id:pk>/edit/", views.narrative_edit, name="narrative_edit"),
    path("narratives/<id:pk>/status/", views.narrative_status, name="narrative_status"),
    path("narratives/<id:pk>/questions/", views.narrative_question, name="narrative_question"),
    path("questions/<id:pk>/", views.question_detail, name="question_detail"),
    path("questions/<id:pk>/answered/", views.question_answered, name="question_answered"),
    path("questions/<id:pk>/pose/", views.question_pose, name="question_pose"),
    path("answers/<id:pk>/helpful/", views.answer_helpful, name="answer_helpful"),
    path("initiatives/<id:pk>/", views.initiative_detail, name="initiative_detail"),
    path("initiatives/<id:pk>/status/", views.initiative_status, name="initiative_status"),
    path("help/<id:pk>/", views.help_detail, name="help_detail"),
    path("help/<id:pk>/action/", views.help_action, name="help_action"),
]
