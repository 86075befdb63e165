"""OCPI 2.2.1, CPO role, over HTTP: versions, credentials (both directions), and the
sender interfaces of Tariffs and Locations, pulled by eMSPs and pushed to them on change.

The OCPI objects themselves are written by pricing (pricing.services.ocpi.export_ocpi);
this app speaks the protocol: tokens, envelopes, pagination, partners and deliveries.
"""
