"""The embedded broker of a development checkout: kombu's filesystem transport, made safe
for several processes.

kombu's filesystem transport (checked against kombu 5.7.0; celery/kombu#1551, open) has a
race: a producer creates the message file under its final name and only then writes it,
so a consumer polling the folder can claim the file while it is still empty. The consumer
then fails in `_get` with `JSONDecodeError('Expecting value: line 1 column 1 (char 0)')`,
which Celery's worker treats as unrecoverable: it exits, and the process manager of
`make run` (honcho) stops the web server and beat with it. The message is lost as well:
the producer goes on writing into a file the consumer has already deleted.

`Channel` overrides the two hook methods a kombu virtual channel implements, `_put` and
`_get` (kombu's documented extension point for a transport), and nothing else:
  - `_put` serializes the message first, writes it to a hidden temporary file in the queue
    folder and renames it to its final name. A rename within one folder is atomic: a
    consumer sees a whole message or none.
  - `_get` claims a message by renaming it into the claim folder (atomic too, so two
    workers never both take one), reads it, deletes it. A message it cannot turn into a
    kombu message (not JSON, not a message envelope: a file dropped by hand, a disk that
    filled up) is logged and moved to the quarantine folder, and the next one is read: a
    bad message never stops a worker.

The settings select this transport by class (Celery's `broker_transport`) whenever
CELERY_BROKER_URL is `filesystem://`, the default; the folders are transport options.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from pathlib import Path
from queue import Empty
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)

TRANSPORT = "cpo_portal.background.embedded_broker:Transport"  # Celery's broker_transport setting
PART_PREFIX = ".part-"  # a message being written; never matches "<stamp>.<queue>.msg"


class Channel(filesystem.Channel):
    @property
    def claim_folder(self) -> str:
        return self.transport_options.get("claim_folder", "claimed")

    @property
    def quarantine_folder(self) -> str:
        return self.transport_options.get("quarantine_folder", "quarantine")

    # kombu's base channel names the second parameter `message`, its filesystem channel
    # `payload`; kombu passes it by position.
    def _put(self, queue: str, message: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Put `message` onto `queue`: its file appears whole, or not at all."""
        data = str_to_bytes(dumps(message))  # before any file exists
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        part = os.path.join(self.data_folder_out, PART_PREFIX + name)
        try:
            with open(part, "wb") as out:
                out.write(data)
            os.replace(part, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.remove(part)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        """The first message of `queue` that reads as a kombu message, in kombu's order
        (by name, which starts with a time stamp); Empty when there is none."""
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            claimed = os.path.join(self.claim_folder, name)
            try:
                os.rename(os.path.join(self.data_folder_in, name), claimed)
            except OSError:
                continue  # another consumer took it
            try:
                raw = Path(claimed).read_bytes()
            except OSError as exc:
                raise ChannelError(f"Cannot read file {claimed!r} from queue.") from exc
            payload = self._message_or_none(raw)
            if payload is None:
                self._quarantine(claimed, name, raw)
                continue
            if self.store_processed:
                os.replace(claimed, os.path.join(self.processed_folder, name))
            else:
                os.remove(claimed)
            return payload
        raise Empty()

    def _message_or_none(self, raw: bytes) -> Any:
        try:
            payload = loads(bytes_to_str(raw))
            self.Message(payload, channel=self)  # what the consumer will build from it
        except Exception:  # any failure: the message is unreadable
            return None
        return payload

    def _quarantine(self, claimed: str, name: str, raw: bytes) -> None:
        moved = os.path.join(self.quarantine_folder, name)
        try:
            os.replace(claimed, moved)
        except OSError:
            moved = claimed
        logger.error(
            "broker message %s is not a readable message (%d bytes: %r); kept in %s, skipped",
            name,
            len(raw),
            raw[:80],
            moved,
        )


class Transport(filesystem.Transport):
    Channel = Channel
    driver_name = "filesystem (atomic)"
    # Folders, not a host: kombu's default ("localhost") only made every process that
    # connects warn "No hostname was supplied".
    default_connection_params: dict[str, Any] = {}


def transport_options(folder: Path, polling_interval: float) -> dict[str, Any]:
    """The transport's folders under `folder` (created here), for the settings."""
    folders = {
        "data_folder_in": folder / "queue",
        "data_folder_out": folder / "queue",
        "processed_folder": folder / "processed",
        "claim_folder": folder / "claimed",
        "quarantine_folder": folder / "quarantine",
        "control_folder": folder / "control",  # kombu's default is ./control
    }
    for path in folders.values():
        path.mkdir(parents=True, exist_ok=True)
    return {
        **{name: str(path) for name, path in folders.items()},
        "store_processed": False,
        # Seconds between looks at the queue folder when it is empty (kombu's default is 1:
        # each hop to a worker would wait half a second on average).
        "polling_interval": polling_interval,
    }
