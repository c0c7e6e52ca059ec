from django.urls import path
from rest_framework.routers import DefaultRouter

from buildings.api import BuildingViewSet
from requests_tracker.api import CategoryViewSet, DemandViewSet, TrackView

router = DefaultRouter()
router.register("buildings", BuildingViewSet, basename="building")
router.register("categories", CategoryViewSet, basename="category")
router.register("demands", DemandViewSet, basename="demand")

urlpatterns = [
    # Tokens are URL-safe base64 (see new_tracking_token): anything else is a 404 here, not a query.
    path("track/<slug:token>/", TrackView.as_view(), name="api-track"),
    *router.urls,
]
