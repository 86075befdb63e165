"""beckn_keys and beckn_subscriber: what they print, and one-line errors for bad input."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from beckn.models import SigningKey, Subscriber
from beckn.protocol.signing import generate_keypair

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_generate_show_and_rotate_keys(bpp):
    out, _ = run("beckn_keys", "generate", "--key-id", "k-one")
    first = SigningKey.objects.get(key_id="k-one")
    assert first.public_key in out and first.private_key not in out
    assert "keyId        bpp.test.example|k-one|ed25519" in out
    run("beckn_keys", "generate", "--key-id", "k-two")
    out, _ = run("beckn_keys", "show")
    second = SigningKey.objects.get(key_id="k-two")
    assert "key id       k-two" in out and second.private_key not in out
    assert "retired      k-one" in out  # rotation keeps the old key listed
    assert SigningKey.objects.filter(is_active=True).count() == 1
    out, err = run("beckn_keys", "show", "--private")
    assert second.private_key in out and "Anyone holding it" in err


def test_key_errors_are_one_line(bpp):
    with pytest.raises(CommandError, match="no active signing key"):
        run("beckn_keys", "show")
    with pytest.raises(CommandError, match="bad key: private key is not valid base64"):
        run("beckn_keys", "import", "--key-id", "k", "--private-key", "%%%")
    run("beckn_keys", "generate", "--key-id", "dup")
    with pytest.raises(CommandError, match="'dup' already exists"):
        run("beckn_keys", "generate", "--key-id", "dup")
    with pytest.raises(CommandError, match="bad key: key id"):
        run("beckn_keys", "generate", "--key-id", "has|pipe")


def test_import_a_key_made_elsewhere(bpp):
    private, public = generate_keypair()
    out, _ = run("beckn_keys", "import", "--key-id", "ext", "--private-key", private)
    assert public in out and SigningKey.objects.get(key_id="ext").is_active


def test_subscriber_add_list_remove(db):
    _, public = generate_keypair()
    args = [
        *("beckn_subscriber", "add", "--subscriber-id", "bap.example", "--type", "BAP"),
        *("--url", "https://bap.example/beckn", "--key-id", "k1"),
        *("--signing-public-key", public),
    ]
    out, _ = run(*args)
    assert out.startswith("Added bap.example (BAP, key k1)")
    out, _ = run(*args, "--vocabularies", "ondc", "--rate-limit", "30")
    assert out.startswith("Updated")
    row = Subscriber.objects.get()
    assert (row.vocabularies, row.rate_limit) == ("ondc", 30)
    out, _ = run("beckn_subscriber", "list")
    assert "bap.example\tBAP\tk1\tSUBSCRIBED\tondc\thttps://bap.example/beckn" in out
    out, _ = run("beckn_subscriber", "remove", "--subscriber-id", "bap.example")
    assert "Removed 1 key(s)." in out and not Subscriber.objects.exists()


@pytest.mark.parametrize(
    "change, message",
    [
        (
            {"--signing-public-key": "abc"},
            "signing-public-key: The signing public key is not valid base64.",
        ),
        (
            {"--signing-public-key": "AAAA"},
            "signing-public-key: An ed25519 public key is 32 bytes; this one is 3.",
        ),
        ({"--url": "not a url"}, "url: Enter a valid URL."),
        ({"--subscriber-id": "has space"}, "subscriber-id: Use letters, digits"),
        ({"--rate-limit": "-1"}, "rate-limit: must be 0 (unlimited) or more"),
    ],
)
def test_subscriber_errors_are_one_line(db, change, message):
    _, public = generate_keypair()
    values = {"--subscriber-id": "bap.example", "--type": "BAP", "--url": "https://bap.example",
              "--key-id": "k1", "--signing-public-key": public}  # fmt: skip
    values.update(change)
    args = [part for pair in values.items() for part in pair]
    with pytest.raises(CommandError) as info:
        run("beckn_subscriber", "add", *args)
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_remove_unknown(db):
    with pytest.raises(CommandError, match="no subscriber 'ghost'"):
        run("beckn_subscriber", "remove", "--subscriber-id", "ghost")


def test_demo_seeder_makes_one_key_once(bpp):
    from beckn import demo

    out = io.StringIO()
    demo.seed({}, out)
    demo.seed({}, out)
    assert SigningKey.objects.count() == 1
    assert "made signing key" in out.getvalue() and "kept signing key" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--port", "99999"), "--port: 99999 is not a port (0 to 65535)"),
        (("--port", "-1"), "--port: -1 is not a port (0 to 65535)"),
        (("--host", "no-such-host.invalid"), "--host, --port: cannot listen on no-such-host"),
        (("--wait", "-1"), "--wait: -1.0 is not seconds above 0, at most a day"),
        (("--wait", "nan"), "--wait: nan is not seconds above 0, at most a day"),
        (("--wait", "1e300"), "--wait: 1e+300 is not seconds above 0, at most a day"),
        (("--since", "nan"), "--since: nan is not minutes above 0"),
        (("--refresh", "inc", "--since", "1e12"), "--since: 1000000000000.0 minutes back is"),
        (("--gps", "abc"), '--gps: "abc" is not latitude,longitude in degrees'),
        (("--version", "2.0", "--gps", "99,999"), '--gps: "99,999" is not latitude,longitude'),
        (("--gps", "90.1,0"), '--gps: "90.1,0" is not latitude,longitude in degrees'),
        (("--gps", "0,-180.5"), '--gps: "0,-180.5" is not latitude,longitude in degrees'),
        (("--gps", "NaN,0"), '--gps: "NaN,0" is not latitude,longitude in degrees'),
        (("--gps", "1" * 300 + ",0"), '--gps: "1111'),
        (("--radius", "-5"), '--radius: "-5" is out of range'),
        (("--amount", "abc"), '--amount: "abc" is not a number'),
        (("--kwh", "0"), '--kwh: "0" is not a number above 0'),
        (("--kwh", "1e400"), '--kwh: "1e400" is out of range'),
        (("--subscriber-id", ""), "--subscriber-id: This field cannot be blank."),
        (("--key-id", "a|b"), "--key-id: Use letters, digits and . _ : - / (no spaces, no '|'"),
        (("--no-register", "--key-id", "a b"), "--key-id: Use letters, digits"),
        (("--callback-url", "notaurl"), "--callback-url: Enter a valid URL."),
    ],
)
def test_beckn_bap_refuses_bad_options_in_one_line_before_anything(bpp, args, message):
    """Each bad value is one line, said before the simulator listens, registers itself or
    sends anything: no traceback, no registry row of a bad id or URL, no journey stopped
    halfway (an energy it cannot send refused only after charging started)."""
    run("beckn_keys", "generate", "--key-id", "k-one")
    with pytest.raises(CommandError) as refused:
        run("beckn_bap", "--bpp-url", "http://127.0.0.1:9/beckn", "--wait", "1", *args)
    assert str(refused.value).startswith(message), str(refused.value)
    assert "\n" not in str(refused.value)
    assert not Subscriber.objects.exists()


@pytest.mark.parametrize("gps", ["90,-180", "-90,180", "+90.0, 180.000", "0,0"])
@pytest.mark.parametrize("version", ["1.1", "2.0"])
def test_beckn_bap_takes_a_place_on_the_edges(bpp, gps, version):
    """The poles and the antimeridian are places (the protocol's rule, `is_place`): the
    first refusal is the next option's, not `--gps`."""
    with pytest.raises(CommandError) as refused:
        run(
            "beckn_bap", "--bpp-url", "http://127.0.0.1:9/beckn", "--wait", "1",
            "--version", version, f"--gps={gps}", "--callback-url", "notaurl",
        )  # fmt: skip
    assert str(refused.value).startswith("--callback-url: "), str(refused.value)
