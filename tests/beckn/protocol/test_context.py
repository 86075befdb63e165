from datetime import UTC, datetime, timedelta, timezone

import pytest

from beckn.protocol import errors
from beckn.protocol.context import (
    ContextIssue,
    ContextRule,
    check_context,
    normalise_inbound,
    normalise_timestamp,
)
from beckn.protocol.schema import validate_message
from tests.beckn.protocol.examples import EXAMPLES, OUR_BPP, adapt, example_files, load

SENT = datetime(2025, 9, 24, 10, 0, tzinfo=UTC)


def good_context(**changes):
    ctx = {
        "domain": "deg:ev-charging",
        "action": "select",
        "version": "1.1.0",
        "bap_id": "example-bap.com",
        "bap_uri": "https://api.example-bap.com/pilot/bap/energy/v1",
        "bpp_id": OUR_BPP,
        "bpp_uri": "https://cpo-bpp.example.com/beckn",
        "transaction_id": "6743e9e2-4fb5-487c-92b7-13ba8018f176",
        "message_id": "6743e9e2-4fb5-487c-92b7-13ba8018f177",
        "timestamp": "2025:09:24:10:00:00",
        "ttl": "15S",
    }
    for key, value in changes.items():
        if value is None:
            ctx.pop(key, None)
        else:
            ctx[key] = value
    return ctx


def check(ctx, *, action="select", now=SENT + timedelta(seconds=5), **kwargs):
    return check_context(ctx, action=action, bpp_id=OUR_BPP, now=now, **kwargs)


def rules(issues):
    return [issue.rule for issue in issues]


def test_a_good_deg_context_has_no_issues():
    assert check(good_context()) == []


@pytest.mark.parametrize(
    ("changes", "rule", "path"),
    [
        ({"domain": "dent:ev-charging:0.1.0"}, ContextRule.DOMAIN, "$.context.domain"),
        ({"domain": None}, ContextRule.DOMAIN, "$.context.domain"),
        ({"version": "1.0.0"}, ContextRule.VERSION, "$.context.version"),
        ({"action": "init"}, ContextRule.ACTION, "$.context.action"),
        ({"bpp_id": "someone-else.com"}, ContextRule.BPP_ID, "$.context.bpp_id"),
        ({"bpp_id": None}, ContextRule.BPP_ID, "$.context.bpp_id"),
        ({"bap_id": None}, ContextRule.BAP_ID, "$.context.bap_id"),
        ({"bap_id": "  "}, ContextRule.BAP_ID, "$.context.bap_id"),
        ({"bap_uri": None}, ContextRule.BAP_URI, "$.context.bap_uri"),
        ({"message_id": None}, ContextRule.MESSAGE_ID, "$.context.message_id"),
        ({"transaction_id": ""}, ContextRule.TRANSACTION_ID, "$.context.transaction_id"),
        ({"timestamp": None}, ContextRule.TIMESTAMP, "$.context.timestamp"),
        ({"timestamp": "yesterday"}, ContextRule.TIMESTAMP, "$.context.timestamp"),
        ({"timestamp": "2025:09:24:10:05:06"}, ContextRule.FUTURE, "$.context.timestamp"),
        ({"timestamp": "2025:09:24:09:59:49"}, ContextRule.STALE, "$.context.timestamp"),
        ({"ttl": "P1M"}, ContextRule.TTL, "$.context.ttl"),
    ],
)
def test_each_rule_reports_one_issue_at_its_path(changes, rule, path):
    (issue,) = check(good_context(**changes))
    assert (issue.rule, issue.path) == (rule, path)


def test_messages_say_what_was_expected():
    (issue,) = check(good_context(domain="dent:ev-charging:0.1.0"))
    assert issue.message == 'must be "deg:ev-charging", got "dent:ev-charging:0.1.0"'
    (issue,) = check(good_context(bpp_id=None), action="select")
    assert issue.message == "is required for select"


def test_search_may_come_without_a_bpp_id_but_not_with_someone_elses():
    assert check(good_context(action="search", bpp_id=None), action="search") == []
    issues = check(good_context(action="search", bpp_id="other.com"), action="search")
    assert rules(issues) == [ContextRule.BPP_ID]


def test_clock_skew_allows_five_minutes_into_the_future_by_default():
    now = SENT
    assert check(good_context(timestamp="2025-09-24T10:05:00Z"), now=now) == []
    (issue,) = check(good_context(timestamp="2025-09-24T10:05:00.001Z"), now=now)
    assert issue.rule is ContextRule.FUTURE
    assert issue.message == "is PT5M0.001S ahead of our clock (allowed skew PT5M)"
    assert (
        check(
            good_context(timestamp="2025-09-24T10:05:01Z"),
            now=now,
            max_clock_skew=timedelta(minutes=10),
        )
        == []
    )


def test_stale_means_timestamp_plus_ttl_is_before_now():
    ctx = good_context(ttl="15S")
    assert check(ctx, now=SENT + timedelta(seconds=15)) == []
    (issue,) = check(ctx, now=SENT + timedelta(seconds=15, microseconds=1))
    assert issue.rule is ContextRule.STALE
    assert issue.message == (
        "message expired at 2025-09-24T10:00:15.000Z (timestamp + ttl PT15S); "
        "now 2025-09-24T10:00:15.000Z"
    )


def test_offsets_count_when_judging_staleness():
    ctx = good_context(timestamp="2025:09:24:15:30:00+05:30", ttl="PT10M")  # 10:00 UTC
    assert check(ctx, now=SENT + timedelta(minutes=10)) == []
    assert rules(check(ctx, now=SENT + timedelta(minutes=11))) == [ContextRule.STALE]


def test_missing_ttl_uses_the_default():
    ctx = good_context(ttl=None)
    assert check(ctx, now=SENT + timedelta(seconds=30)) == []
    assert rules(check(ctx, now=SENT + timedelta(seconds=31))) == [ContextRule.STALE]


def test_a_bad_ttl_is_reported_and_the_default_used_instead():
    ctx = good_context(ttl="soon")
    assert rules(check(ctx, now=SENT + timedelta(seconds=31))) == [
        ContextRule.TTL,
        ContextRule.STALE,
    ]


def test_several_problems_are_all_reported():
    ctx = good_context(domain="x", version="0.9", bap_uri=None, timestamp=None)
    assert rules(check(ctx)) == [
        ContextRule.DOMAIN,
        ContextRule.VERSION,
        ContextRule.BAP_URI,
        ContextRule.TIMESTAMP,
    ]


def test_a_context_that_is_not_an_object():
    assert check("nope") == [ContextIssue(ContextRule.CONTEXT, "$.context", "must be an object")]


def test_now_must_be_aware():
    with pytest.raises(ValueError, match="timezone-aware"):
        check(good_context(), now=datetime(2025, 9, 24, 10, 0))


def test_issues_map_to_beckn_errors():
    (stale,) = check(good_context(timestamp="2025:09:24:09:00:00"))
    (domain,) = check(good_context(domain="x"))
    assert stale.error is errors.STALE_REQUEST and stale.error.code == "30022"
    assert domain.error is errors.INVALID_REQUEST and domain.error.code == "30000"


REQUEST_FILES = [path for path in example_files() if not path.name.startswith("on_")]


@pytest.mark.parametrize("path", REQUEST_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_deg_example_requests_pass_our_context_checks(path):
    body = adapt(load(path))
    action = body["context"]["action"]
    now = datetime(2023, 7, 16, 4, 41, 20, tzinfo=UTC)
    assert check_context(body["context"], action=action, bpp_id=OUR_BPP, now=now) == []


def test_normalise_inbound_rewrites_every_known_timestamp_field():
    body = {
        "context": {"timestamp": "2025:09:24:10:00:30", "ttl": "15S"},
        "message": {
            "order": {
                "billing": {"time": {"timestamp": "2025:09:24:10:10:00Z"}},
                "updated_at": "2025:09:24:11:05:00Z",
                "created_at": "2024-08-05T09:21:12.618Z",
                "cancellation": {"time": "2025:09:24:11:00:00"},
                "fulfillments": [
                    {
                        "stops": [
                            {
                                "time": {
                                    "range": {
                                        "start": "2025:09:24:10:00:00+05:30",
                                        "end": "2023-06-01T10:30:00",
                                    },
                                    "schedule": {"holidays": ["2025:12:25:00:00:00"]},
                                },
                                "type": "start",
                            }
                        ]
                    }
                ],
                "tags": [{"list": [{"descriptor": {"code": "start"}, "value": "2025:09:24"}]}],
            }
        },
    }
    out = normalise_inbound(body)
    order = out["message"]["order"]
    stop = order["fulfillments"][0]["stops"][0]
    assert out["context"] == {"timestamp": "2025-09-24T10:00:30.000Z", "ttl": "15S"}
    assert order["billing"]["time"]["timestamp"] == "2025-09-24T10:10:00.000Z"
    assert order["updated_at"] == "2025-09-24T11:05:00.000Z"
    assert order["created_at"] == "2024-08-05T09:21:12.618Z"  # already RFC 3339: untouched
    assert order["cancellation"]["time"] == "2025-09-24T11:00:00.000Z"
    assert stop["time"]["range"] == {
        "start": "2025-09-24T04:30:00.000Z",
        "end": "2023-06-01T10:30:00.000Z",
    }
    assert stop["time"]["schedule"]["holidays"] == ["2025-12-25T00:00:00.000Z"]
    assert stop["type"] == "start"  # a value named like a field is not a field
    assert order["tags"] == body["message"]["order"]["tags"]
    assert body["context"]["timestamp"] == "2025:09:24:10:00:30"  # the input is not changed


def test_normalise_keeps_what_it_cannot_read():
    out = normalise_inbound({"context": {"timestamp": "last tuesday"}, "n": [1, None, True]})
    assert out == {"context": {"timestamp": "last tuesday"}, "n": [1, None, True]}
    assert normalise_timestamp("2025-02-30T00:00:00Z") == "2025-02-30T00:00:00Z"


def test_normalise_inbound_leaves_an_already_valid_example_equal():
    body = load(EXAMPLES / "select" / "select-request.json")
    assert normalise_inbound(body) == body


def test_timezone_offsets_in_the_future_check_use_the_instant():
    ist = timezone(timedelta(hours=5, minutes=30))
    now = datetime(2025, 9, 24, 15, 30, 5, tzinfo=ist)  # == SENT + 5 s
    assert check(good_context(), now=now) == []


def test_a_select_in_the_deg_offer_page_style_validates_once_normalised(example_select):
    example_select["context"].update(timestamp="2025:09:24:10:00:00", ttl="15S")
    example_select["message"]["order"]["billing"] = {
        "name": "Sarah Johnson",
        "email": "sarah.johnson@email.com",
        "time": {"timestamp": "2025:09:24:10:10:00Z"},
    }
    assert [i.path for i in validate_message("select", example_select)] == [
        "$.context.timestamp",
        "$.message.order.billing.time.timestamp",
    ]
    assert validate_message("select", normalise_inbound(example_select)) == []
