"""Session, CSRF, password, admin URL, request size and key rotation settings."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import clear_url_caches, reverse

from tests.security.helpers import django_json, production_env

# CI: on PostgreSQL only (headers and settings: what it checks does not depend on the database)
pytestmark = [pytest.mark.django_db, pytest.mark.one_database]

SETTINGS_CODE = """
from django.conf import settings
names = ["DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
         "CSRF_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_AGE",
         "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME",
         "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
         "SECURE_HSTS_PRELOAD", "SECURE_PROXY_SSL_HEADER", "SECRET_KEY_FALLBACKS", "ADMIN_URL",
         "DATA_UPLOAD_MAX_MEMORY_SIZE", "DATA_UPLOAD_MAX_NUMBER_FIELDS", "AXES_ENABLED",
         "AXES_FAILURE_LIMIT", "AXES_COOLOFF_TIME", "TRUSTED_PROXY_COUNT", "STATICFILES_STORAGE"]
result = {name: getattr(settings, name, None) for name in names}
result["STATICFILES_STORAGE"] = settings.STORAGES["staticfiles"]["BACKEND"]
"""


def test_production_settings(tmp_path):
    got = django_json(SETTINGS_CODE, production_env(tmp_path))
    assert got == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_AGE": 28800,
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "SESSION_COOKIE_NAME": "__Host-sessionid",
        "CSRF_COOKIE_NAME": "__Host-csrftoken",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECRET_KEY_FALLBACKS": [],
        "ADMIN_URL": "admin/",
        "DATA_UPLOAD_MAX_MEMORY_SIZE": 1048576,
        "DATA_UPLOAD_MAX_NUMBER_FIELDS": 1000,
        "AXES_ENABLED": True,
        "AXES_FAILURE_LIMIT": 5,
        "AXES_COOLOFF_TIME": "0:15:00",
        "TRUSTED_PROXY_COUNT": 0,
        "STATICFILES_STORAGE": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    }


def test_settings_from_the_environment(tmp_path):
    env = production_env(
        tmp_path,
        SECRET_KEY_FALLBACKS="old-key-1, old-key-2",
        ADMIN_URL="/back-office/",
        DATA_UPLOAD_MAX_MEMORY_SIZE="65536",
        DATA_UPLOAD_MAX_NUMBER_FIELDS="200",
        SESSION_COOKIE_AGE="3600",
        SESSION_EXPIRE_AT_BROWSER_CLOSE="0",
        AXES_ENABLED="0",
        AXES_FAILURE_LIMIT="3",
        AXES_COOLOFF_MINUTES="60",
        TRUSTED_PROXY_COUNT="1",
    )
    got = django_json(SETTINGS_CODE, env)
    assert got["SECRET_KEY_FALLBACKS"] == ["old-key-1", "old-key-2"]
    assert got["ADMIN_URL"] == "back-office/"
    assert got["DATA_UPLOAD_MAX_MEMORY_SIZE"] == 65536
    assert got["DATA_UPLOAD_MAX_NUMBER_FIELDS"] == 200
    assert got["SESSION_COOKIE_AGE"] == 3600
    assert got["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is False
    assert got["AXES_ENABLED"] is False
    assert got["AXES_FAILURE_LIMIT"] == 3
    assert got["AXES_COOLOFF_TIME"] == "1:00:00"
    assert got["TRUSTED_PROXY_COUNT"] == 1


def test_session_cookie_lasts_for_the_browser_session_only(client, network):
    client.post(
        reverse("admin:login"),
        {"username": network.admin_a.username, "password": "pw-for-tests-only"},
    )
    cookie = client.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # gone when the browser closes
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] == "Lax"
    assert client.session.get_expiry_age() == 8 * 3600  # and server-side after a working day


def test_csrf_is_enforced_on_the_admin_login(network):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        reverse("admin:login"),
        {"username": network.admin_a.username, "password": "pw-for-tests-only"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Sh0rt!pass1", "password_too_short"),  # 11: we ask for 12, Django for 8
        ("password123456", "password_too_common"),
        ("84736251938475", "password_entirely_numeric"),
        ("a-operator_admin-x", "password_too_similar"),
    ],
)
def test_weak_passwords_are_refused(network, password, code):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=network.admin_a)
    assert code in {error.code for error in refused.value.error_list}


def test_a_long_unusual_password_is_accepted(network):
    validate_password("correct-horse-battery-staple-42", user=network.admin_a)


def test_old_secret_keys_still_verify_when_listed_as_fallbacks(settings):
    settings.SECRET_KEY = "old-" + "k" * 50
    token = signing.dumps({"user": 1})
    settings.SECRET_KEY = "new-" + "n" * 50
    with pytest.raises(signing.BadSignature):
        signing.loads(token)
    settings.SECRET_KEY_FALLBACKS = ["old-" + "k" * 50]
    assert signing.loads(token) == {"user": 1}


@pytest.fixture
def moved_admin(settings):
    import cpo_portal.urls

    settings.ADMIN_URL = "back-office/"
    importlib.reload(cpo_portal.urls)
    clear_url_caches()
    yield
    settings.ADMIN_URL = "admin/"
    importlib.reload(cpo_portal.urls)
    clear_url_caches()


def test_admin_url_is_configurable(client, moved_admin):
    assert reverse("admin:login") == "/back-office/login/"
    assert client.get("/back-office/login/").status_code == 200
    assert client.get("/admin/login/").status_code == 404


def test_oversized_bodies_are_refused(client):
    body = "username=x&password=" + "x" * (1024 * 1024)
    response = client.post(
        reverse("admin:login"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


def test_too_many_fields_are_refused(client):
    body = "&".join(f"f{number}=1" for number in range(1001))
    response = client.post(
        reverse("admin:login"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400


def test_a_normal_form_is_within_the_limits(client):
    body = "&".join(f"f{number}=1" for number in range(900))
    response = client.post(
        reverse("admin:login"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200


def test_cache_url_selects_a_shared_redis_cache(tmp_path):
    code = "from django.conf import settings\nresult = settings.CACHES['default']"
    shared = django_json(code, production_env(tmp_path, CACHE_URL="redis://10.1.2.3:6379/1"))
    assert shared["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert shared["LOCATION"] == "redis://10.1.2.3:6379/1"
    local = django_json(code, production_env(tmp_path, CACHE_URL=None))
    assert local["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


ROUTES = """
from cpo_portal.celery import app
names = ["beckn.deliver", "beckn.process_inbound", "beckn.requeue_stuck", "beckn.prune_messages",
         "beckn.cds_publish_due", "beckn.catalog_push_due",
         "offers.analytics.tasks.rollup_ledger", "cpo_portal.run_chunk", "pricing.anything"]
result = {name: app.amqp.router.route({}, name)["queue"].name for name in names}
"""


def test_one_queue_by_default(tmp_path):
    queues = django_json(ROUTES, production_env(tmp_path))
    assert set(queues.values()) == {"celery"}


def test_split_queues_route_beckn_work_and_rollups_apart(tmp_path):
    queues = django_json(ROUTES, production_env(tmp_path, CELERY_SPLIT_QUEUES="1"))
    assert queues == {
        "beckn.deliver": "beckn",
        "beckn.process_inbound": "beckn",
        "beckn.requeue_stuck": "beckn",
        "beckn.prune_messages": "rollups",  # bulk deletes wait behind no callback
        "beckn.cds_publish_due": "celery",  # whole catalogs, off the answering threads
        "beckn.catalog_push_due": "celery",
        "offers.analytics.tasks.rollup_ledger": "rollups",
        "cpo_portal.run_chunk": "rollups",  # heavy jobs' parts
        "pricing.anything": "celery",
    }


def test_a_key_prefix_keeps_the_brokers_redis_keys_apart(tmp_path):
    """Processes sharing one Redis database (parallel test workers and the Celery workers
    they start) keep their queues under their own prefix; none by default."""
    code = "from celery import current_app as app\nresult = app.conf.broker_transport_options"
    redis_env = {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/15"}
    plain = django_json(code, production_env(tmp_path, **redis_env))
    assert "global_keyprefix" not in plain
    prefixed = django_json(code, production_env(tmp_path, CELERY_KEY_PREFIX="w1:", **redis_env))
    assert prefixed["global_keyprefix"] == "w1:"
