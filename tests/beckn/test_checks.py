"""The Beckn settings check: a callback lease shorter than twice one attempt (the callback
deadline) is named, since the requeue sweep would hand a row still in flight to a
second worker and the BAP would get the callback twice."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from beckn.checks import check_callback_lease


def ids(messages) -> list[str]:
    return [m.id for m in messages]


def test_the_defaults_pass():
    assert check_callback_lease(None) == []  # the lease >= 2 x the 7 s deadline


@pytest.mark.parametrize(("lease", "warned"), [(14, False), (13.9, True), (7, True), (5, True)])
def test_a_lease_below_twice_one_attempt_is_named(settings, lease, warned):
    settings.BECKN_CALLBACK_DEADLINE = 7.0
    settings.BECKN_CALLBACK_LEASE = lease
    found = check_callback_lease(None)
    assert ids(found) == (["beckn.W001"] if warned else [])
    if warned:
        assert found[0].msg == (
            f"BECKN_CALLBACK_LEASE ({lease:g} s) is shorter than 2 x one callback attempt "
            "(BECKN_CALLBACK_DEADLINE 7 s)."
        )
        assert found[0].hint.startswith("Set BECKN_CALLBACK_LEASE to at least 14 s")


def test_a_longer_deadline_needs_a_longer_lease(settings):
    settings.BECKN_CALLBACK_LEASE = 60
    settings.BECKN_CALLBACK_DEADLINE = 32.0  # 2 x 32 s is more than 60 s
    assert ids(check_callback_lease(None)) == ["beckn.W001"]
    settings.BECKN_CALLBACK_LEASE = 64
    assert check_callback_lease(None) == []


def test_timings_that_are_not_numbers_are_an_error(settings):
    settings.BECKN_CALLBACK_LEASE = "a minute"
    assert ids(check_callback_lease(None)) == ["beckn.E001"]


def test_manage_py_check_reports_it(settings):
    settings.BECKN_CALLBACK_LEASE = 5
    with pytest.raises(SystemCheckError, match=r"\(beckn\.W001\) BECKN_CALLBACK_LEASE \(5 s\)"):
        call_command("check", fail_level="WARNING", stdout=io.StringIO())
    settings.BECKN_CALLBACK_LEASE = 60
    out = io.StringIO()
    call_command("check", fail_level="WARNING", stdout=out)
    assert "System check identified no issues" in out.getvalue()
