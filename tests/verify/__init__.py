"""The token verifier and its caches, against a loopback JWKS."""
