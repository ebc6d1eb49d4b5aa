"""Benchmark of django_cognito at scale: seeding, timed reads and sign-up throughput."""
