"""Our BECKN-006 signing keys: `generate`, `show [--private]`, `import`."""

from __future__ import annotations

from django.core.management.base import CommandError

from beckn import conf
from beckn.models import SigningKey
from beckn.services import keys
from cpo_portal.management.product_command import ProductCommand


class Command(ProductCommand):
    help = "Make, show or import this BPP's ed25519 signing key pair."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        generate = sub.add_parser("generate", help="Make a new key pair and make it active.")
        generate.add_argument("--key-id", help="Unique key id (default: k-<date>-<random>).")
        show = sub.add_parser("show", help="Print the active key (public half) and old keys.")
        show.add_argument(
            "--private", action="store_true", help="Also print the private key (keep it secret)."
        )
        imported = sub.add_parser("import", help="Install a key pair made elsewhere.")
        imported.add_argument("--key-id", required=True)
        imported.add_argument(
            "--private-key", required=True, help="Base64 ed25519 private key (32 or 64 bytes)."
        )

    def handle(self, *args, verb: str, **options):
        if verb == "show":
            self._show(options["private"])
            return
        key_id = options.get("key_id")
        if key_id and SigningKey.objects.filter(key_id=key_id).exists():
            raise CommandError(f"key id {key_id!r} already exists; choose another")
        try:
            if verb == "generate":
                key = keys.generate(key_id)
            else:
                key = keys.import_key(options["key_id"], options["private_key"])
        except ValueError as exc:
            raise CommandError(f"bad key: {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Key {key.key_id} is now the active key."))
        self._print(key, private=False)

    def _show(self, private: bool) -> None:
        try:
            active = keys.active_key()
        except keys.NoSigningKey as exc:
            raise CommandError(str(exc)) from None
        self._print(active, private=private)
        retired = SigningKey.objects.filter(is_active=False)
        for key in retired:
            when = f"{key.retired_at:%Y-%m-%d %H:%M}" if key.retired_at else "?"
            self.stdout.write(f"retired      {key.key_id} (since {when}) {key.public_key}")

    def _print(self, key: SigningKey, *, private: bool) -> None:
        self.stdout.write(f"subscriber   {conf.bpp_id()}")
        self.stdout.write(f"key id       {key.key_id}")
        self.stdout.write(f"public key   {key.public_key}")
        self.stdout.write(f"keyId        {conf.bpp_id()}|{key.key_id}|ed25519")
        if private:
            self.stderr.write("The private key follows. Anyone holding it can sign as this BPP.")
            self.stdout.write(f"private key  {key.private_key}")
