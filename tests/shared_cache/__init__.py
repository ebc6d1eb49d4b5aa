"""Two server processes sharing one database and one Redis: see
tests/clients/test_shared_cache.py."""
