"""Candidate files: records, search, duplicates, stages, and the candidate CSV."""
