"""Fabrique Accueil: intake, orientation and internship agreements for La Fabrique du Numérique."""

__version__ = "0.1.0"
APP_NAME = "Fabrique Accueil"
APP_SLUG = "fabrique-accueil"
