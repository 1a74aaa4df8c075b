"""What every view needs: the database (sessions opened per action) and who is signed in."""

from dataclasses import dataclass

from app.storage import Database


@dataclass
class AppContext:
    database: Database
    username: str
    # Until local accounts exist (the data-safety issue), whoever runs the app acts with
    # every role; the services already check the role they are given.
    role: str = "coordination"
