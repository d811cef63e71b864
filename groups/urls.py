from django.urls import path

from groups import views
from groups.meetings import views as meeting_views
from groups.webhooks import views as webhook_views

app_name = "groups"

urlpatterns = [
    path("networks/", views.network_list, name="network_list"),
    path("networks/new/", views.network_create, name="network_create"),
    path("networks/<slug:slug>/", views.network_detail, name="network_detail"),
    path("networks/<slug:slug>/groups/new/", views.group_create, name="group_create"),
    path("networks/<slug:slug>/audit/", views.network_audit, name="network_audit"),
    path("groups/<id:pk>/", views.group_detail, name="group_detail"),
    path("groups/<id:pk>/members/", views.group_members, name="group_members"),
    path("groups/<id:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<id:pk>/join/", views.group_join, name="group_join"),
    path("groups/<id:pk>/leave/", views.group_leave, name="group_leave"),
    path("groups/<id:pk>/invite/", views.group_invite, name="group_invite"),
    path("groups/<id:pk>/spin-out/", views.group_spin_out, name="group_spin_out"),
    path(
        "groups/<id:pk>/requests/<id:request_pk>/decide/",
        views.request_decide,
        name="request_decide",
    ),
    path("groups/<id:pk>/members/<id:membership_pk>/role/", views.member_role, name="member_role"),
    path(
        "groups/<id:pk>/members/<id:membership_pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "groups/<id:pk>/invitations/<id:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("groups/<id:pk>/meetings/", meeting_views.meetings_page, name="meetings"),
    path("groups/<id:pk>/meetings/new/", meeting_views.meeting_add, name="meeting_add"),
    path("meetings/<id:pk>/", meeting_views.meeting_detail, name="meeting_detail"),
    path("meetings/<id:pk>/meeting.ics", meeting_views.meeting_ics, name="meeting_ics"),
    path("meetings/<id:pk>/change/", meeting_views.meeting_change, name="meeting_change"),
    path("meetings/<id:pk>/reflection/", meeting_views.reflection_edit, name="reflection_edit"),
    path("meetings/<id:pk>/run/", meeting_views.meeting_mode, name="meeting_mode"),
    path("meetings/<id:pk>/run/draft/", meeting_views.session_draft, name="session_draft"),
    path("meetings/<id:pk>/room/", meeting_views.meeting_room, name="meeting_room"),
    path("meetings/<id:pk>/room/act/", meeting_views.room_act, name="room_act"),
    path("sessions/<id:pk>/", meeting_views.session_detail, name="session_detail"),
    path("next-actions/<id:pk>/done/", meeting_views.next_action_done, name="next_action_done"),
    path("calendar/<str:token>.ics", meeting_views.calendar_feed, name="calendar_feed"),
    path("calendar/link/", meeting_views.calendar_feed_reset, name="calendar_feed_reset"),
    path("groups/<id:pk>/webhooks/", webhook_views.group_webhooks, name="group_webhooks"),
    path("networks/<slug:slug>/webhooks/", webhook_views.network_webhooks, name="network_webhooks"),
    path("webhooks/<id:pk>/", webhook_views.webhook_detail, name="webhook_detail"),
    path("webhooks/<id:pk>/act/", webhook_views.webhook_act, name="webhook_act"),
    path("webhooks/<id:pk>/edit/", webhook_views.webhook_edit, name="webhook_edit"),
    path("webhooks/<id:pk>/delete/", webhook_views.webhook_delete, name="webhook_delete"),
]
