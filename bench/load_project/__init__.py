"""The project ``bench.load`` and the outage tests serve: PostgreSQL, Redis, a DRF view."""
