"""Internship agreements: terms, life cycle, documents, presence, exports."""
