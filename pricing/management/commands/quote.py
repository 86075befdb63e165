"""`manage.py quote`: see pricing.quote_cli (the offers layer replaces this module)."""

from pricing.quote_cli import QuoteCommand


class Command(QuoteCommand):
    pass
