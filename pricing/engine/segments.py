"""What a priced slice of a session is keyed by, and how precisely energy is placed.

The compiled book (book.py) cuts the session into slices at every instant where a price
*might* change and prices each slice by its first instant. Neighbouring slices that turned
out to price the same on the same local day are merged, so the Segments depend only on
where the price really changes (plus local midnight), not on how finely the session was
cut.

Energy follows elapsed time at constant power. Each boundary's cumulative energy is fixed
to 1e-12 kWh and segments take the differences, so segment kWh add up to the session's
kWh exactly and a band's kWh do not depend on how many segments it was cut into.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

# (local date, band index, applied surge rule indices): everything a slice's price depends on
SliceKey = tuple[dt.date, int, tuple[int, ...]]

POSITION = Decimal("1e-12")  # cumulative kWh are fixed to this
