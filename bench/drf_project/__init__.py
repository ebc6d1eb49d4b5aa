"""A minimal Django project serving one DRF endpoint per authentication class (bench only)."""
