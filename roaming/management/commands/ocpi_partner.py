"""Register with a roaming partner, or unregister, or issue a new registration token.

manage.py ocpi_partner register 7 --token TOKEN_A      (POST, or PUT when registered)
manage.py ocpi_partner unregister 7
manage.py ocpi_partner unregister-here 7                (the partner cannot be told)
manage.py ocpi_partner token 7                          (a new token A, printed once)
"""

from __future__ import annotations

from django.core.management.base import CommandError

from cpo_portal.formatting import url_inputs
from cpo_portal.management.product_command import ProductCommand
from roaming.models import Partner
from roaming.services import credentials


class Command(ProductCommand):
    help = (
        "OCPI credentials with a roaming partner: register, unregister, unregister-here "
        "(on our side only, the partner not told), token."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "action", choices=["register", "unregister", "unregister-here", "token"]
        )
        parser.add_argument("partner", type=int, help="The partner's id (see the admin).")
        parser.add_argument("--token", default="", help="The token the partner gave us (A).")
        parser.add_argument("--versions-url", default="", help="The partner's versions URL.")

    def handle(self, *args, action: str, partner: int, token: str, versions_url: str, **kw):
        row = Partner.objects.select_related("operator").filter(pk=partner).first()
        if row is None:
            raise CommandError(f"no partner with id {partner}")
        try:
            if action == "token":
                self.stdout.write(credentials.issue_registration_token(row))
                return
            if action == "unregister":
                credentials.unregister_from(row)
                self.stdout.write(f"{row.name}: unregistered")
                return
            if action == "unregister-here":
                credentials.unregister_here(row)
                self.stdout.write(f"{row.name}: unregistered here only; the partner was not told")
                return
            if versions_url:  # as the admin's form takes it: https unless told otherwise
                row.versions_url = url_inputs.typed_url(Partner, "versions_url", versions_url)
            if token:
                credentials.set_their_token(row, token)
            if versions_url or token:
                row.save(update_fields=["versions_url", "outbound_token", "updated_at"])
            credentials.register_with(row)
        except credentials.PartnerNotTold as exc:
            raise CommandError(
                f"{row.name}: {exc}; `ocpi_partner unregister-here {row.pk}` ends it here only"
            ) from exc
        except (credentials.RegistrationError, ValueError) as exc:
            raise CommandError(f"{row.name}: {exc}") from exc
        self.stdout.write(f"{row.name}: registered as {row.country_code}*{row.party_id}")
