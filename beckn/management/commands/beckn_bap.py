"""A BAP simulator: plays the DEG journey against a running BPP through signed HTTP.

It listens for callbacks on a local port (checking the BPP's signatures), registers itself
in this project's subscriber registry (or uses the keys it is given), and prints every
quote and the final receipt. The BPP must be allowed to call a local address
(BECKN_ALLOW_PRIVATE_CALLBACKS=1, as `make run` sets it).
"""

from __future__ import annotations

import base64
import datetime as dt

from django.core.management.base import CommandError

from beckn import conf
from beckn.models import SigningKey, Subscriber, SubscriberType
from beckn.protocol.signing import generate_keypair, signing_key
from beckn.protocol.timefmt import parse_timestamp
from beckn.simulator.bap_client import BapClient
from beckn.simulator.journey import Journey, JourneyFailed, Plan
from beckn.simulator.journey_v2 import JourneyV2
from beckn.simulator.receiver import CallbackReceiver
from beckn.simulator.refresh import Refreshing
from cpo_portal.management.product_command import ProductCommand


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
        receiver = CallbackReceiver(
            lookup=lambda sid, kid: ours.get((sid, kid)),
            host=options["host"],
            port=options["port"],
        ).start()
        try:
            self._play(options, private, public, receiver)
        finally:
            receiver.stop()

    def _play(self, options, private: str, public: str, receiver: CallbackReceiver) -> None:
        callback_url = options["callback_url"] or receiver.url
        if not options["no_register"]:
            Subscriber.objects.update_or_create(
                subscriber_id=options["subscriber_id"],
                key_id=options["key_id"],
                defaults={
                    "type": SubscriberType.BAP,
                    "url": callback_url,
                    "signing_public_key": public,
                    "status": "SUBSCRIBED",
                },
            )
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


def _start(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return parse_timestamp(text)
    except ValueError as exc:
        raise CommandError(f"--start: {exc}") from None


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
