"""Accounts: who signs in, their roles and passwords, and the command line's sign-in."""
