"""The BAPs of the multi-host scenario (scenario.py): signing clients that send selects through
the balancer or to one web host, and the receiver of their callbacks on the data host's
bridge address, with a record of every select (ACKed with its latency, or refused)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
import uuid
from zoneinfo import ZoneInfo

from tests.support.procs import free_port, wait_until

TTL = "PT30S"
TTL_SECONDS = 30
# The demo network's stations keep India's time; a session at noon there meets no offer
# that sets the rate itself (Night Owl's ₹12/kWh from 23:00), so a tariff change always
# shows in its price, whatever the hour the test runs.
STATION_TIME = ZoneInfo("Asia/Kolkata")


def midday_tomorrow() -> dt.datetime:
    day = dt.datetime.now(STATION_TIME).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(12), tzinfo=STATION_TIME)


PROVIDER, ITEM = "cpo1.com", "pe-charging-01"  # the demo's flagship charger


class Baps:
    """Signing BAPs on the data host's bridge address, their callback receiver, and a
    record of every select: ACKed (with its latency) or not."""

    def __init__(self, gateway: str, bpp_id: str, bpp_key: tuple[str, str]) -> None:
        from beckn.protocol.signing import generate_keypair
        from tests.support.faults.harness import receiver_class

        public = {bpp_key[0]: bpp_key[1]}
        self.receiver = receiver_class()(lookup=lambda s, k: public.get(f"{s}|{k}"),
                                         host=gateway, port=free_port())  # fmt: skip
        self.receiver.start()
        self.signer = bpp_key[0]
        self.bpp_id = bpp_id
        self.subscriber_id = f"multihost-{uuid.uuid4().hex[:8]}.bap"
        self.keys = {"k1": generate_keypair(), "k2": generate_keypair()}
        self.acked: dict[str, dt.datetime] = {}  # message id -> ACKed at
        self.refused: list[str] = []
        self.latencies: list[float] = []
        self._lock = threading.Lock()

    def register(self, key_id: str = "k1") -> None:
        from beckn.models import Subscriber

        Subscriber.objects.create(
            subscriber_id=self.subscriber_id, type="BAP", url=f"{self.receiver.address}/beckn",
            key_id=key_id, signing_public_key=self.keys[key_id][1], rate_limit=0,
        )  # fmt: skip

    def client(self, base: str, key_id: str = "k1"):
        from beckn.simulator.bap_client import BapClient

        return BapClient(
            bpp_url=f"{base}/beckn", bpp_id=self.bpp_id, subscriber_id=self.subscriber_id,
            key_id=key_id, private_key=self.keys[key_id][0],
            callback_url=f"{self.receiver.address}/beckn", ttl=TTL, timeout=20,
        )  # fmt: skip

    def select(self, client) -> str | None:
        """One select; its message id when ACKed (None: refused, recorded)."""
        from beckn.simulator.bap_client import Refused
        from beckn.simulator.journey import order_message

        start = midday_tomorrow()
        order = order_message(PROVIDER, ITEM, "100", start, start + dt.timedelta(hours=1), None)
        # 5 kWh rather than ₹100, so that a new rate shows in the price
        order["items"][0]["quantity"]["selected"]["measure"].update(value="5", unit="kWh")
        client.transaction_id = str(uuid.uuid4())
        began = time.monotonic()
        try:
            message_id = client.send("select", {"order": order})
        except Refused as exc:
            with self._lock:
                self.refused.append(str(exc)[:200])
            return None
        with self._lock:
            self.latencies.append(time.monotonic() - began)
            self.acked[message_id] = dt.datetime.now(dt.UTC)
        return message_id

    def search(self, client) -> str:
        """One search around the flagship charger; its message id (ACKed)."""
        from beckn.simulator.journey import Plan, search_message

        start = midday_tomorrow()
        client.transaction_id = str(uuid.uuid4())
        return client.send("search", search_message(Plan(), start, start + dt.timedelta(hours=1)))

    def item_price(self, message_id: str, timeout: float = TTL_SECONDS) -> str:
        """The flagship charger's price as one on_search (or its part holding it) shows it."""
        wait_until(lambda: message_id in self.arrivals(), timeout, f"on_search {message_id}")
        for arrival in self.arrivals()[message_id]:
            catalog = json.loads(arrival.raw)["message"].get("catalog", {})
            for provider in catalog.get("providers", []):
                for item in provider.get("items", []):
                    if item.get("id") == ITEM:
                        return json.dumps(item.get("price"), sort_keys=True)
        return ""

    def arrivals(self) -> dict[str, list]:
        groups: dict[str, list] = {}
        for arrival in self.receiver.snapshot():
            groups.setdefault(arrival.message_id, []).append(arrival)
        return groups

    def price(self, message_id: str, timeout: float = TTL_SECONDS) -> str:
        """The quoted price of one on_select."""
        wait_until(lambda: message_id in self.arrivals(), timeout, f"on_select {message_id}")
        body = json.loads(self.arrivals()[message_id][0].raw)
        try:
            return str(body["message"]["order"]["quote"]["price"]["value"])
        except (KeyError, TypeError):  # an error callback: say what it said
            raise AssertionError(f"on_select {message_id} has no price: {body}") from None

    def unanswered(self, mine: list[str]) -> int:
        arrived = self.arrivals()
        return sum(1 for m in mine if m not in arrived)

    def load(self, base: str, threads: int, stop: threading.Event, window: int = 0) -> None:
        """Selects from `threads` BAP clients until `stop`; each keeps at most `window`
        selects unanswered (0: no limit, the ACK path's capacity)."""

        def loop() -> None:
            client = self.client(base)
            mine: list[str] = []
            while not stop.is_set():
                if window and self.unanswered(mine[-window * 4 :]) >= window:
                    time.sleep(0.02)
                    continue
                if message_id := self.select(client):
                    mine.append(message_id)

        workers = [threading.Thread(target=loop, daemon=True) for _ in range(threads)]
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join()

    def close(self) -> None:
        self.receiver.stop()
