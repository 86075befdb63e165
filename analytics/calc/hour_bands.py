"""Hour bands: the five parts of a local day that the rollups are keyed by.

A session belongs to the band of its *local start hour* (the ledger copies it), so the
same session always lands in the same band whatever its length. Peak (17:00-21:00) covers
the DEG congestion window (18:00-21:00) and the hour of commuters arriving before it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HourBand:
    code: str
    label: str
    start: int  # first local hour, inclusive
    end: int  # last local hour, exclusive

    @property
    def span(self) -> str:
        return f"{self.start:02d}:00-{self.end % 24:02d}:00"


BANDS: tuple[HourBand, ...] = (
    HourBand("night", "Night", 0, 6),
    HourBand("morning", "Morning", 6, 11),
    HourBand("midday", "Midday", 11, 17),
    HourBand("peak", "Peak", 17, 21),
    HourBand("evening", "Evening", 21, 24),
)
CHOICES: list[tuple[str, str]] = [(b.code, f"{b.label} ({b.span})") for b in BANDS]


def sql_case(column: str) -> str:
    """A SQL CASE expression mapping an hour column to its band code (same on every DB).

    `column` is a trusted column reference written by our own code, never user input.
    """
    whens = " ".join(f"WHEN {column} < {b.end} THEN '{b.code}'" for b in BANDS[:-1])
    return f"(CASE {whens} ELSE '{BANDS[-1].code}' END)"
