"""The health check of a base (`main.py check`)."""
