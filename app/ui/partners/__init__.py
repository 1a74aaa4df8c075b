"""Structures d'accueil: the host directory and its tutors."""
