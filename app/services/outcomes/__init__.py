"""Learners' outcomes: the situation at exit and 3, 6 and 12 months later, how a pathway ended,
the funders' definitions of a positive exit, and the checks due (`actions.py` for the window)."""
