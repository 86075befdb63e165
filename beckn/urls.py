from django.urls import path, re_path

from beckn import conf, views

app_name = "beckn"

urlpatterns = [
    # Beckn 2.0: a Catalog Discovery Service's results for our catalog publishes (at the
    # bppUri they were sent with)
    path("catalog/on_publish", views.catalog_on_publish, name="catalog-on-publish"),
    # the address on_track gives for a charging session (GET; beckn.services.tracking)
    path("sessions/<str:handle>", views.session_tracking, name="session-tracking"),
    # Beckn 2.0.0: one path per action under its own base, <subscriber url>/v2
    re_path(r"^v2/(?P<action>[A-Za-z_]{1,32})$", views.endpoint_v2, name="endpoint-v2"),
    re_path(r"^v2/(?P<rest>.*)$", views.unknown_v2, name="unknown-v2"),
    re_path(r"^(?P<action>[A-Za-z_]{1,32})$", views.endpoint, name="endpoint"),
    re_path(r"^(?P<rest>.*)$", views.unknown, name="unknown"),  # after every other route
]

if conf.get("BECKN_BENCH_VIEWS"):
    from beckn.bench_views import bare_ack

    urlpatterns.insert(0, path("_bench/ack", bare_ack, name="bench-ack"))  # before the catch-all
