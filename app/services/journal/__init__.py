"""The tamper-evident journal of changes, prints, exports and sign-ins."""
