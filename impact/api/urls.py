from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from groups.apis import GroupViewSet, InvitationAcceptView, NetworkViewSet
from groups.meetings.apis import CadenceView, MeetingViewSet, NextActionViewSet, SessionViewSet
from impact.api import views
from impact.search.api import SearchView
from metrics.apis import ActionViewSet, MeasurementViewSet, MetricViewSet, MyDataExportView
from narratives.apis import HelpRequestViewSet, InitiativeViewSet, NarrativeViewSet, QuestionViewSet

# Routes as path() with converters rather than regexes, so that ids get the `id` converter.
router = SimpleRouter(use_regex_path=False)
router.register("networks", NetworkViewSet, basename="api-network")
router.register("groups", GroupViewSet, basename="api-group")
router.register("actions", ActionViewSet, basename="api-action")
router.register("measurements", MeasurementViewSet, basename="api-measurement")
router.register("metrics", MetricViewSet, basename="api-metric")
router.register("meetings", MeetingViewSet, basename="api-meeting")
router.register("sessions", SessionViewSet, basename="api-session")
router.register("next-actions", NextActionViewSet, basename="api-next-action")
router.register("narratives", NarrativeViewSet, basename="api-narrative")
router.register("questions", QuestionViewSet, basename="api-question")
router.register("initiatives", InitiativeViewSet, basename="api-initiative")
router.register("help-requests", HelpRequestViewSet, basename="api-help-request")

# Object ids are numbers a row can hold (impact.ids): anything else in the id's place is a
# 404 from the URL resolver, before a view could try to look it up.
LOOKUP_CONVERTERS = {"pk": "id", "slug": "slug"}
for _prefix, viewset, _basename in router.registry:
    viewset.lookup_value_converter = LOOKUP_CONVERTERS[viewset.lookup_field]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("me/export/", MyDataExportView.as_view(), name="api-me-export"),
    path("notifications/", views.NotificationListView.as_view(), name="api-notifications"),
    path(
        "notifications/read/", views.NotificationReadView.as_view(), name="api-notifications-read"
    ),
    path(
        "invitations/<str:token>/accept/",
        InvitationAcceptView.as_view(),
        name="api-invitation-accept",
    ),
    path("groups/<id:pk>/cadence/", CadenceView.as_view(), name="api-group-cadence"),
    path("search/", SearchView.as_view(), name="api-search"),
    *router.urls,
]
