"""Our active signing key, kept per process (beckn.services.keys.active_key): read once,
read again at once after a rotation in this process, and within BECKN_REGISTRY_CHECK_MS
of one made elsewhere (the registry's stamp renewed)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from beckn.models import SigningKey
from beckn.services import keys
from cpo_portal.models import Stamp

pytestmark = pytest.mark.django_db


def test_the_key_is_read_once_and_a_rotation_here_is_seen_at_once(settings):
    settings.BECKN_REGISTRY_CHECK_MS = 60_000
    first = keys.generate()
    assert keys.signer().key_id == first.key_id
    with CaptureQueriesContext(connection) as seen:
        assert keys.signer().key_id == first.key_id
    assert seen.captured_queries == []
    second = keys.generate()
    assert keys.signer().key_id == second.key_id


def test_a_rotation_elsewhere_is_seen_once_the_stamp_is_checked(settings):
    first = keys.generate()
    settings.BECKN_REGISTRY_CHECK_MS = 60_000
    assert keys.active_key().key_id == first.key_id
    # another process's rotation: rows and stamp changed, nothing counted here
    SigningKey.objects.update(is_active=False)
    SigningKey.objects.create(key_id="k-elsewhere", public_key=first.public_key,
                              private_key=first.private_key, is_active=True)  # fmt: skip
    Stamp.objects.filter(kind=Stamp.Kind.REGISTRY).update(stamp=uuid.uuid4())
    assert keys.active_key().key_id == first.key_id  # trusted within the interval
    settings.BECKN_REGISTRY_CHECK_MS = 0
    assert keys.active_key().key_id == "k-elsewhere"
