"""Opening the base: migrations and seeding at start, the encryption key slots, the demo mark."""
