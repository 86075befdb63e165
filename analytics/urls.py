"""Dashboard pages, mounted at /analytics/ (cpo_portal.urls.APP_URLS)."""

from django.urls import path

from analytics.views import dashboards

app_name = "analytics"

urlpatterns = [
    path("", dashboards.roi_dashboard, name="roi"),
    path("offers/<int:pk>/", dashboards.offer_page, name="offer"),
    path("surge/", dashboards.surge_dashboard, name="surge"),
]
