"""The channels a charging session reaches the operator by: one list, read by every app
(analytics' session facts and dashboards, roaming's received CDRs)."""

from __future__ import annotations

from django.db import models


class SessionChannel(models.TextChoices):
    BECKN = "beckn", "Beckn"
    ROAMING = "roaming", "OCPI roaming"
    OWN_APP = "own_app", "Own app"
    OTHER = "other", "Other"
