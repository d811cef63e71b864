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
    path("groups/<int:pk>/narratives/new/", views.narrative_create, name="group_narrative_create"),
    path(
        "groups/<int:pk>/narratives/<int:narrative_pk>/adopt/",
        views.narrative_adopt,
        name="narrative_adopt",
    ),
    path("groups/<int:pk>/questions/", views.group_questions, name="group_questions"),
    path("groups/<int:pk>/initiatives/", views.initiatives, name="initiatives"),
    path("groups/<int:pk>/help/", views.help_list, name="help_list"),
    path("narratives/<int:pk>/", views.narrative_detail, name="narrative_detail"),
    path("narratives/<int:pk>/edit/", views.narrative_edit, name="narrative_edit"),
    path("narratives/<int:pk>/status/", views.narrative_status, name="narrative_status"),
    path("narratives/<int:pk>/questions/", views.narrative_question, name="narrative_question"),
    path("questions/<int:pk>/", views.question_detail, name="question_detail"),
    path("questions/<int:pk>/answered/", views.question_answered, name="question_answered"),
    path("questions/<int:pk>/pose/", views.question_pose, name="question_pose"),
    path("answers/<int:pk>/helpful/", views.answer_helpful, name="answer_helpful"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="initiative_detail"),
    path("initiatives/<int:pk>/status/", views.initiative_status, name="initiative_status"),
    path("help/<int:pk>/", views.help_detail, name="help_detail"),
    path("help/<int:pk>/action/", views.help_action, name="help_action"),
]
