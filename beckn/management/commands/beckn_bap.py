"""A BAP simulator: plays the DEG journey against a running BPP through signed HTTP.

It listens for callbacks on a local port (checking the BPP's signatures), registers itself
in this project's subscriber registry (or uses the keys it is given), and prints every
quote and the final receipt. The BPP must be allowed to call a local address
(BECKN_ALLOW_PRIVATE_CALLBACKS=1, as `make run` sets it).
"""

from __future__ import annotations

import base64
import datetime as dt
import math
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from beckn import conf
from beckn.management.commands.beckn_subscriber import one_line
from beckn.messages import Failure
from beckn.models import SigningKey, Subscriber, SubscriberType
from beckn.protocol.context import in_range
from beckn.protocol.signing import generate_keypair, signing_key
from beckn.protocol.timefmt import parse_timestamp
from beckn.protocol.v2.context import is_place
from beckn.simulator.bap_client import BapClient
from beckn.simulator.journey import Journey, JourneyFailed, Plan
from beckn.simulator.journey_v2 import JourneyV2
from beckn.simulator.receiver import CallbackReceiver
from beckn.simulator.refresh import Refreshing
from beckn.wire.request_parsing import decimal
from cpo_portal.management.product_command import ProductCommand
from cpo_portal.web.schema_errors import shown

LONGEST_WAIT = 86_400.0  # seconds: a callback's wait (a timeout beyond the threads' maximum fails)


class Command(ProductCommand):
    help = "Play search, select, init, confirm and charging updates against a running BPP."

    def create_parser(self, prog_name, subcommand, **kwargs):
        """`--version` is the Beckn version to speak here, not Django's version."""
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument(
            "--version",
            choices=("1.1", "2.0"),
            default="1.1",
            help="Beckn version to speak: 1.1 (search ...) or 2.0 (discover ..., at <bpp-url>/v2).",
        )
        parser.add_argument("--bpp-url", default=None, help="Default: BECKN_SUBSCRIBER_URI.")
        parser.add_argument("--subscriber-id", default="bap-simulator.local")
        parser.add_argument("--key-id", default="sim-key-1")
        parser.add_argument("--private-key", help="Use this key (base64) instead of a new one.")
        parser.add_argument(
            "--no-register",
            action="store_true",
            help="Do not write the simulator into the local registry (it is registered already).",
        )
        parser.add_argument("--host", default="127.0.0.1", help="Callback listener address.")
        parser.add_argument("--port", type=int, default=0, help="Callback port (0: any free).")
        parser.add_argument("--callback-url", help="Public URL of the listener, if not host:port.")
        parser.add_argument("--gps", default="28.345345,77.389754")
        parser.add_argument("--radius", default="5", help="Search radius in km.")
        parser.add_argument("--amount", default="100", help="Rupees selected (DEG sends 100).")
        parser.add_argument("--kwh", default="5.2", help="Energy delivered at the end.")
        parser.add_argument("--offer", help="Offer id to select (default: the first shown).")
        parser.add_argument(
            "--start",
            help="Session start to book, RFC 3339 (default: 12 minutes ago, which needs"
            " BECKN_BOOKING_GRACE_MINUTES over 12). A past start is charged to now (the end"
            " is sent as now: --kwh must fit that time); a start still to come is booked"
            " only: the journey stops after confirm, its charging not simulated.",
        )
        parser.add_argument("--wait", type=float, default=20.0, help="Seconds per callback.")
        parser.add_argument(
            "--refresh",
            choices=("full", "inc", "push"),
            help="Instead of the journey, an ONDC catalog refresh: the whole catalog (full),"
            " the changes of the last --since minutes (inc), or a push started, its"
            " on_search printed for --wait seconds, and stopped (push).",
        )
        parser.add_argument("--since", type=float, default=60.0, help="Minutes, for --refresh inc.")

    def handle(self, *args, **options):
        _check(options)
        private = options["private_key"]
        if private:
            try:
                key = signing_key(private)
            except ValueError as exc:
                raise CommandError(f"--private-key: {exc}") from None
            public = _b64(bytes(key.verify_key))
        else:
            private, public = generate_keypair()
        ours = {
            (conf.bpp_id(), k.key_id): k.public_key for k in SigningKey.objects.all()
        }  # read before the listener thread starts: it never touches the database
        if not ours:
            raise CommandError("the BPP has no signing key: run `manage.py beckn_keys generate`")
        try:
            receiver = CallbackReceiver(
                lookup=lambda sid, kid: ours.get((sid, kid)),
                host=options["host"],
                port=options["port"],
            ).start()
        except (OSError, OverflowError) as exc:
            where = f"{options['host']}:{options['port']}"
            raise CommandError(f"--host, --port: cannot listen on {where}: {exc}") from None
        try:
            self._play(options, private, public, receiver)
        finally:
            receiver.stop()

    def _play(self, options, private: str, public: str, receiver: CallbackReceiver) -> None:
        callback_url = options["callback_url"] or receiver.url
        if not options["no_register"]:
            _register(options["subscriber_id"], options["key_id"], callback_url, public)
            self.stdout.write(f"Registered {options['subscriber_id']} -> {callback_url}")
        client = BapClient(
            bpp_url=options["bpp_url"] or conf.bpp_uri(),
            bpp_id=conf.bpp_id(),
            subscriber_id=options["subscriber_id"],
            key_id=options["key_id"],
            private_key=private,
            callback_url=callback_url,
            version="2.0.0" if options["version"] == "2.0" else "1.1.0",
        )
        if options["refresh"]:
            self._refresh(options, client, receiver)
            return
        journey = JourneyV2 if options["version"] == "2.0" else Journey
        plan = Plan(
            gps=options["gps"],
            radius_km=options["radius"],
            amount=options["amount"],
            delivered_kwh=options["kwh"],
            offer_id=options["offer"],
            start=_start(options["start"]),
            wait=options["wait"],
        )
        try:
            result = journey(client, receiver, self.stdout).run(plan)
        except (JourneyFailed, TimeoutError) as exc:
            raise CommandError(f"journey stopped: {exc}") from None
        booked = "" if result.charged else " booked"  # (the journey said why it stopped there)
        self.stdout.write(self.style.SUCCESS(f"Journey complete: order {result.order_id}{booked}."))

    def _refresh(self, options, client: BapClient, receiver: CallbackReceiver) -> None:
        if options["version"] == "2.0":
            raise CommandError("--refresh is ONDC 1.x's: speak --version 1.1")
        refreshing = Refreshing(client, receiver, self.stdout)
        try:
            if options["refresh"] == "full":
                refreshing.full(options["wait"])
            elif options["refresh"] == "inc":
                refreshing.window(options["since"], options["wait"])
            else:
                refreshing.push(options["wait"])
        except (JourneyFailed, TimeoutError) as exc:
            raise CommandError(f"refresh stopped: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Catalog refresh ({options['refresh']}) done."))


def _check(options: dict[str, Any]) -> None:
    """Every option's value judged before anything is listened on, registered or sent,
    each refusal one line: a value the journey could not send (or the BPP would refuse
    halfway, an order left charging) stops it before it starts."""
    if not 0 <= options["port"] <= 65535:
        raise CommandError(f"--port: {options['port']} is not a port (0 to 65535)")
    if not (math.isfinite(options["wait"]) and 0 < options["wait"] <= LONGEST_WAIT):
        raise CommandError(f"--wait: {options['wait']} is not seconds above 0, at most a day")
    if not (math.isfinite(options["since"]) and options["since"] > 0):
        raise CommandError(f"--since: {options['since']} is not minutes above 0")
    try:
        since = timezone.now() - dt.timedelta(minutes=options["since"])
    except OverflowError:
        since = None
    why = "out of range" if since is None else in_range(since)
    if why is not None:
        raise CommandError(f"--since: {options['since']} minutes back is {why}")
    for name in ("radius", "amount", "kwh"):
        _positive(f"--{name}", options[name])
    _gps(options["gps"])
    _start(options["start"])
    fields = {"subscriber_id": options["subscriber_id"], "key_id": options["key_id"]}
    if options["callback_url"]:
        fields["url"] = options["callback_url"]
    try:
        Subscriber(**fields).clean_fields(exclude=_other_fields(fields))
    except ValidationError as exc:
        raise CommandError(_options_line(exc)) from None


def _positive(name: str, text: str) -> None:
    """A number as the BPP reads one in a message (`request_parsing.decimal`), above 0."""
    try:
        value = decimal(text, name)
    except Failure as exc:
        raise CommandError(f"{name}: {exc.text}") from None
    if value <= 0:
        raise CommandError(f"{name}: {shown(text)} is not a number above 0")


def _gps(text: str) -> None:
    """latitude,longitude: a place as the BPP reads one (`v2.context.is_place`)."""
    lat, _, lon = text.partition(",")
    try:
        place = is_place(Decimal(lon.strip()), Decimal(lat.strip()))
    except ArithmeticError:  # not a number, or NaN (which no comparison takes)
        place = False
    if not place:
        raise CommandError(f"--gps: {shown(text)} is not latitude,longitude in degrees")


def _other_fields(fields: dict[str, str]) -> list[str]:
    return [f.name for f in Subscriber._meta.fields if f.name not in fields]


def _register(subscriber_id: str, key_id: str, url: str, public: str) -> None:
    """The simulator's registry row, judged as `beckn_subscriber add` judges one."""
    row = Subscriber.objects.filter(subscriber_id=subscriber_id, key_id=key_id).first()
    row = row or Subscriber(subscriber_id=subscriber_id, key_id=key_id)
    row.type = SubscriberType.BAP
    row.url = url
    row.signing_public_key = public
    row.status = "SUBSCRIBED"
    try:
        row.full_clean()
    except ValidationError as exc:
        raise CommandError(_options_line(exc)) from None
    row.save()


def _options_line(error: ValidationError) -> str:
    """`beckn_subscriber`'s one line, each field named by the option that gave it."""
    named = {"url": "callback_url"}
    return one_line(
        ValidationError({f"--{named.get(k, k)}": v for k, v in error.message_dict.items()})
    )


def _start(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return parse_timestamp(text)
    except ValueError as exc:
        raise CommandError(f"--start: {exc}") from None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
