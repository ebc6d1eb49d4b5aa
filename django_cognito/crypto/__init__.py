"""Cryptographic helpers: identifiers, secrets, encryption at rest, code hashing."""
