"""The analytics API, mounted at /api/analytics/ (cpo_portal.urls.APP_URLS)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from analytics.api import views, whatif

app_name = "analytics-api"

router = DefaultRouter()
router.register("daily-rollups", views.DailyRollupViewSet, basename="daily-rollup")
router.register("channel-rollups", views.ChannelDailyViewSet, basename="channel-rollup")
router.register("hourly-rollups", views.HourlyRollupViewSet, basename="hourly-rollup")
router.register("whatif-runs", whatif.WhatIfRunViewSet, basename="whatif-run")

urlpatterns = [
    path("series/", views.SeriesView.as_view(), name="series"),
    path("offer-roi/", views.OfferRoiView.as_view(), name="offer-roi"),
    path("surge-impact/", views.SurgeImpactView.as_view(), name="surge-impact"),
    path("", include(router.urls)),
]
