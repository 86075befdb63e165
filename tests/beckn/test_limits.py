"""Size, nesting and rate limits: read from settings, counted per verified subscriber, and
refused with a Beckn NACK that says which limit and (for the rate) when to come back."""

from __future__ import annotations

import json
import threading

import pytest
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache

from beckn.models import InboundMessage, Subscriber
from beckn.services import admission, ratelimit
from tests.beckn import bap as msgs
from tests.beckn.bap import Bap

pytestmark = pytest.mark.django_db


def select(bap: Bap) -> dict:
    return bap.body("select", msgs.select("cpo-a.example", "a-charger-01"))


def error_of(response) -> dict:
    body = response.json()
    assert body["message"]["ack"]["status"] == "NACK"
    return body["error"]


def test_over_the_rate_a_429_nack_says_when_to_retry(client, bap, no_queue, one_minute):
    Subscriber.objects.update(rate_limit=3)
    answers = [bap.post(client, "select", select(bap)) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    wait = int(refused["Retry-After"])
    assert wait == 30  # the rest of the pinned minute
    error = error_of(refused)
    assert error["code"] == "50000"
    assert error["message"] == (f"rate limit of 3 requests/minute exceeded; retry in {wait}s")
    assert InboundMessage.objects.count() == 3  # the refused one was not kept


def test_a_flood_over_the_rate_logs_one_warning_a_while_not_a_line_each(
    client, bap, no_queue, one_minute, caplog
):
    Subscriber.objects.update(rate_limit=1)
    admission.forget()
    with caplog.at_level("INFO"):
        answers = [bap.post(client, "select", select(bap)).status_code for _ in range(6)]
    assert answers == [200] + [429] * 5
    assert not [r for r in caplog.records if r.name == "django.request"]
    declined = [r for r in caplog.records if r.name == admission.__name__]
    assert [r.levelname for r in declined] == ["WARNING"]  # the first; the rest are counted
    assert "(the last: 429, rate limit of 1 requests/minute exceeded" in declined[0].getMessage()


def test_the_limit_is_per_verified_subscriber(client, bap, no_queue, one_minute):
    other = Bap(subscriber_id="other-bap.example", key_id="k2")
    other.register(rate_limit=5)
    Subscriber.objects.filter(subscriber_id=bap.subscriber_id).update(rate_limit=1)
    assert bap.post(client, "select", select(bap)).status_code == 200
    assert bap.post(client, "select", select(bap)).status_code == 429
    assert [other.post(client, "select", select(other)).status_code for _ in range(5)] == [200] * 5


def test_refused_requests_count_and_over_the_limit_get_the_rate_limit_s_answer(
    client, bap, no_queue, one_minute
):
    """A verified request refused for its content still spends the budget, and once the
    budget is spent an invalid request is answered with the rate limit, as a valid one."""
    Subscriber.objects.update(rate_limit=2)
    invalid = select(bap)
    invalid["context"]["action"] = "search"  # does not match the endpoint
    assert bap.post(client, "select", invalid).status_code == 400
    assert bap.post(client, "select", select(bap)).status_code == 200
    assert bap.post(client, "select", select(bap)).status_code == 429
    assert bap.post(client, "select", invalid).status_code == 429
    assert InboundMessage.objects.count() == 1


def test_forged_requests_do_not_spend_a_baps_budget(client, bap, no_queue, one_minute):
    """Counting happens after the signature is verified: someone who merely names a BAP
    cannot lock it out."""
    Subscriber.objects.update(rate_limit=2)
    impostor = Bap()  # the same subscriber and key ids, another private key
    for _ in range(10):
        assert impostor.post(client, "select", select(bap)).status_code == 401
    assert [bap.post(client, "select", select(bap)).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]


def test_the_default_comes_from_settings_and_zero_is_unlimited(
    client, bap, no_queue, one_minute, settings
):
    settings.BECKN_DEFAULT_RATE_LIMIT = 2
    codes = [bap.post(client, "select", select(bap)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    cache.clear()
    Subscriber.objects.update(rate_limit=0)
    assert {bap.post(client, "select", select(bap)).status_code for _ in range(5)} == {200}


def test_windows_are_whole_minutes():
    assert ratelimit.retry_after(now=120.0) == 60
    assert ratelimit.retry_after(now=125.2) == 55
    assert ratelimit.retry_after(now=179.9) == 1
    cache.clear()
    assert [ratelimit.allow("w", 2, now=130.0) for _ in range(3)] == [True, True, False]
    assert ratelimit.allow("w", 2, now=180.0)  # the next minute starts afresh


def _hammer(limit: int, attempts: int) -> list[bool]:
    results: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(attempts)

    def one():
        start.wait()
        allowed = ratelimit.allow("hammered", limit, now=600.0)
        with lock:
            results.append(allowed)

    threads = [threading.Thread(target=one) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_concurrent_requests_never_exceed_the_limit():
    cache.clear()
    assert sorted(_hammer(20, 50)) == [False] * 30 + [True] * 20


@pytest.mark.integration
def test_concurrent_requests_never_exceed_the_limit_in_redis(monkeypatch):
    """With the shared Redis cache production uses (CACHE_URL), across connections."""
    redis_cache = RedisCache("redis://127.0.0.1:6379/7", {"KEY_PREFIX": "prove-rate"})
    try:
        redis_cache.clear()
    except Exception as exc:  # no Redis here
        pytest.skip(f"no Redis on 127.0.0.1:6379 ({exc})")
    monkeypatch.setattr(ratelimit, "cache", redis_cache)
    assert sorted(_hammer(20, 50)) == [False] * 30 + [True] * 20
    redis_cache.clear()


@pytest.mark.parametrize(
    "setting, value, raw, words",
    [
        ("BECKN_MAX_JSON_DEPTH", 5, '{"context": {}, "m": [[[[[1]]]]]}', "more than 5 levels"),
        ("BECKN_MAX_BODY_BYTES", 50, json.dumps({"context": {}, "pad": "x" * 60}),
         "limit of 50 bytes"),
    ],
)  # fmt: skip
def test_shape_limits_come_from_settings(client, bap, no_queue, settings, setting, value, raw,
                                         words):  # fmt: skip
    setattr(settings, setting, value)
    response = bap.post(client, "select", None, raw=raw.encode())
    assert response.status_code in (400, 413)
    error = error_of(response)
    assert error["code"] == "30000" and words in error["message"]
