"""One delivery for everything we send (Beckn callbacks, OCPI pushes): the row and attempt
shapes (models.py) and the courier that claims, leases, sends, records, retries and sweeps
(courier.py). Each sender plugs in its own target, request and reading of the answer."""
