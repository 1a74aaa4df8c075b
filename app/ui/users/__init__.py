"""The Utilisateurs page (coordination)."""
