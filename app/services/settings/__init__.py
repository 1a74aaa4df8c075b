"""The organisation's settings printed on documents."""
