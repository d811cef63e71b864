from django.contrib import admin
from django.urls import include, path

from groups import views as group_views
from impact import views

urlpatterns = [
    path("", group_views.home, name="home"),
    path("", include("groups.urls")),
    path("", include("metrics.urls")),
    path("", include("narratives.urls")),
    path("", include("impact.search.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("offline/", views.offline, name="offline"),
    path("jsi18n/", views.javascript_catalogue, name="javascript_catalogue"),
    path("profile/", views.profile, name="profile"),
    path("language/", views.language_choose, name="language_choose"),
    path("profile/delete/", views.account_delete, name="account_delete"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/menu/", views.notification_menu, name="notification_menu"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("notifications/<id:pk>/open/", views.notification_open, name="notification_open"),
    path(
        "notifications/unsubscribe/<str:token>/",
        views.email_unsubscribe,
        name="email_unsubscribe",
    ),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("impact.api.urls")),
]

handler404 = "impact.views.not_found"
handler500 = "impact.views.server_error"
