"""Two server processes sharing one database and one Redis: see tests/test_shared_cache.py."""
