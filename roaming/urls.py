from django.urls import path, re_path

from roaming.api import cdrs, views

app_name = "roaming"

V = "2.2.1"

urlpatterns = [
    path("versions", views.Versions.as_view(), name="versions"),
    path(V, views.VersionDetails.as_view(), name="version-details"),
    path(f"{V}/credentials", views.Credentials.as_view(), name="credentials"),
    path(f"{V}/tariffs", views.TariffList.as_view(), name="tariffs"),
    path(f"{V}/locations", views.LocationList.as_view(), name="locations"),
    path(f"{V}/cdrs", cdrs.CdrReceiver.as_view(), name="cdrs"),
    path(f"{V}/cdrs/<int:pk>", cdrs.CdrObject.as_view(), name="cdr"),
    path(f"{V}/locations/<str:location_id>", views.LocationObject.as_view(), name="location"),
    path(
        f"{V}/locations/<str:location_id>/<str:evse_uid>",
        views.LocationObject.as_view(),
        name="evse",
    ),
    path(
        f"{V}/locations/<str:location_id>/<str:evse_uid>/<str:connector_id>",
        views.LocationObject.as_view(),
        name="connector",
    ),
    re_path(r"^(?P<rest>.*)$", views.unknown, name="unknown"),  # after every other route
]
