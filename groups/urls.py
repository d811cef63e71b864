from django.urls import path

from groups import views

app_name = "groups"

urlpatterns = [
    path("networks/", views.network_list, name="network_list"),
    path("networks/new/", views.network_create, name="network_create"),
    path("networks/<slug:slug>/", views.network_detail, name="network_detail"),
    path("networks/<slug:slug>/groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/join/", views.group_join, name="group_join"),
    path("groups/<int:pk>/leave/", views.group_leave, name="group_leave"),
    path("groups/<int:pk>/invite/", views.group_invite, name="group_invite"),
    path("groups/<int:pk>/spin-out/", views.group_spin_out, name="group_spin_out"),
    path(
        "groups/<int:pk>/requests/<int:request_pk>/decide/",
        views.request_decide,
        name="request_decide",
    ),
    path(
        "groups/<int:pk>/members/<int:membership_pk>/role/", views.member_role, name="member_role"
    ),
    path(
        "groups/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
