"""Open311 GeoReport v2 at /open311/v2/: categories as services, tickets as service requests.

views.py (thin) → params.py / intake.py (checking what arrives) → selectors.py (reads) and
services.py (writes, through minsheng.tickets.actions) → serialize.py (the public, masked
representation) → formats.py (JSON and XML). The mapping choices are in docs/configuration.md,
"Open311".
"""
