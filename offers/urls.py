"""The staff home at the admin's index URL (cpo_portal.urls mounts it before the admin)."""

from django.urls import path

from offers.staff_home import home_view

urlpatterns = [path("", home_view, name="staff-home")]
