"""What-if replays of an offer or a surge rule over past sessions (docs/whatif.md)."""
