"""Engine, sessions, migrations. Imports no Qt; the only place that knows about SQLite."""

from app.storage.database import Database, open_database

__all__ = ["Database", "open_database"]
