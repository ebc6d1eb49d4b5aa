"""DRF authentication and permissions, and the example project's API on them."""
