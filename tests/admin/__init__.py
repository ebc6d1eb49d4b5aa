"""The Django admin screens, driven through the test client."""
