"""Cognito's semantics as plain, typed functions; no HTTP request ever enters them."""
