"""Demonstration data, seeded through the services (`seed-demo`, `--demo`)."""
