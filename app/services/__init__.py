"""Use cases, by feature, one package per view of the window. No Qt.

Each feature package holds its building blocks (functions taking a SQLAlchemy `Session`,
returning plain dataclasses) and an `actions` module: the use cases the window and the
command line call, each taking the database and opening its own unit of work
(`unit_of_work.writes` / `reads`). Shared by every feature: `actor` and `permissions` (who
acts and what they may do), `errors`, `validation`, `versioning`, `reference` and `lists`.
"""
