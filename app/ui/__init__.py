"""PySide6 user interface: thin widgets over app.services."""
