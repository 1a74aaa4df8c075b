"""Paramètres: the organisation printed on every agreement."""
