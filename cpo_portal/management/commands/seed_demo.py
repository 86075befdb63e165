"""Load the demo data: the network, then whatever each app adds (settings.DEMO_SEEDERS).

Each seeder is a module with `add_arguments(parser)` and `seed(options, out)`; apps higher in
the stack plug in their step by name, so this bottom layer imports none of them.
"""

from argparse import ArgumentTypeError

from django.conf import settings
from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.module_loading import import_string

from cpo_portal import demo
from cpo_portal.changes.seeding import mark_demo_history
from cpo_portal.management.product_command import ProductCommand


class Command(ProductCommand):
    help = "Build (or refresh) the demo operators, network, users and sample data."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="Hide progress bars.")
        for path in settings.DEMO_SEEDERS:
            import_string(f"{path}.add_arguments")(parser)

    def handle(self, *args, **options):
        options["progress"] = not options["no_progress"]
        try:  # `call_command(..., stations=N)` passes a number the parser did not read
            options["stations"] = demo.stations(options["stations"])
        except ArgumentTypeError as exc:
            raise CommandError(f"--stations: {exc}") from None
        started = timezone.now()
        for path in settings.DEMO_SEEDERS:
            import_string(f"{path}.seed")(options, self.stdout)
        mark_demo_history(since=started)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
