from django.urls import include, path
from rest_framework.routers import DefaultRouter

from buildings.api import BuildingViewSet
from requests_tracker.api import CategoryViewSet, DemandViewSet, TrackView
from requests_tracker.hall.api import HallRequestCreateView
from requests_tracker.projects.api import ProjectViewSet
from requests_tracker.screen.views import area_screen_feed, screen_feed
from requests_tracker.search.api import SearchView
from requests_tracker.stats.views import StatsView
from requests_tracker.surveys.api import SurveyViewSet
from services.guide.api import GuideView, ServiceDetailView, ServiceListView
from services.resources.api import ResourceViewSet

router = DefaultRouter()
router.register("buildings", BuildingViewSet, basename="building")
router.register("categories", CategoryViewSet, basename="category")
router.register("demands", DemandViewSet, basename="demand")
router.register("surveys", SurveyViewSet, basename="survey")
router.register("resources", ResourceViewSet, basename="resource")
router.register("projects", ProjectViewSet, basename="project")

urlpatterns = [
    # Tokens are URL-safe base64 (see new_tracking_token): anything else is a 404 here, not a query.
    path("track/<slug:token>/", TrackView.as_view(), name="api-track"),
    path("screen/area/<slug:slug>/", area_screen_feed, name="api-area-screen"),
    path("screen/<slug:slug>/", screen_feed, name="api-screen"),
    path("stats/", StatsView.as_view(), name="api-stats"),
    path("", include("buildings.elections.api_urls")),
    # 楼长点点通: the guide, the hall's services and requests, the search.
    path("guide/", GuideView.as_view(), name="api-guide"),
    path("services/", ServiceListView.as_view(), name="api-services"),
    path("services/<str:code>/", ServiceDetailView.as_view(), name="api-service"),
    path("services/<str:code>/requests/", HallRequestCreateView.as_view(), name="api-service-requests"),
    path("search/", SearchView.as_view(), name="api-search"),
    *router.urls,
]
