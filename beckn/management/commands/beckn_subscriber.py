"""The local subscriber registry: `add`, `list`, `remove`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from beckn.models import Subscriber, SubscriberType, Vocabulary
from cpo_portal.management.product_command import ProductCommand


def one_line(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        parts = [
            f"{field.replace('_', '-')}: {' '.join(messages)}"
            for field, messages in error.message_dict.items()
        ]
        return "; ".join(parts)
    return " ".join(error.messages)


class Command(ProductCommand):
    help = "Add, list or remove BAPs and gateways allowed to call this BPP."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        add = sub.add_parser("add", help="Register (or update) a subscriber key.")
        add.add_argument("--subscriber-id", required=True)
        add.add_argument("--type", required=True, choices=SubscriberType.values)
        add.add_argument("--url", required=True, help="Callback base URL (https://...).")
        add.add_argument("--key-id", required=True)
        add.add_argument("--signing-public-key", required=True, help="Base64 ed25519 key.")
        add.add_argument("--vocabularies", default=Vocabulary.BOTH, choices=Vocabulary.values)
        add.add_argument("--rate-limit", type=int, help="Requests per minute (0: unlimited).")
        sub.add_parser("list", help="Print the registry.")
        remove = sub.add_parser("remove", help="Remove a subscriber (or one of its keys).")
        remove.add_argument("--subscriber-id", required=True)
        remove.add_argument("--key-id", help="Only this key (default: every key).")

    def handle(self, *args, verb: str, **options):
        getattr(self, f"_{verb}")(options)

    def _add(self, options) -> None:
        if options["rate_limit"] is not None and options["rate_limit"] < 0:
            raise CommandError("rate-limit: must be 0 (unlimited) or more")
        row = Subscriber.objects.filter(
            subscriber_id=options["subscriber_id"], key_id=options["key_id"]
        ).first()
        created = row is None
        row = row or Subscriber(subscriber_id=options["subscriber_id"], key_id=options["key_id"])
        row.type = options["type"]
        row.url = options["url"]
        row.signing_public_key = options["signing_public_key"]
        row.vocabularies = options["vocabularies"]
        row.rate_limit = options["rate_limit"]
        try:
            row.full_clean()
        except ValidationError as exc:
            raise CommandError(one_line(exc)) from None
        row.save()
        verb = "Added" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {row}."))

    def _list(self, options) -> None:
        rows = Subscriber.objects.all()
        if not rows:
            self.stdout.write("No subscribers yet: add one with `beckn_subscriber add`.")
        for row in rows:
            self.stdout.write(
                f"{row.subscriber_id}\t{row.type}\t{row.key_id}\t{row.status}\t"
                f"{row.vocabularies}\t{row.url}"
            )

    def _remove(self, options) -> None:
        rows = Subscriber.objects.filter(subscriber_id=options["subscriber_id"])
        if options.get("key_id"):
            rows = rows.filter(key_id=options["key_id"])
        count = rows.count()
        if not count:
            raise CommandError(f"no subscriber {options['subscriber_id']!r} with that key")
        rows.delete()
        self.stdout.write(self.style.SUCCESS(f"Removed {count} key(s)."))
