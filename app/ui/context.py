"""What every view needs: the database (sessions opened per action) and who is signed in."""

from dataclasses import dataclass

from app.storage import Database


@dataclass
class AppContext:
    database: Database
    username: str
