"""The funders' indicators of a season (site, filière): pure SQL aggregates over the
candidates, their stage history and their outcomes; each figure names the people behind it
(`trace`). `actions.py` for the window and the command line (coordination only)."""
