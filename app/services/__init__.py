"""Use cases. Each takes a Session owned by the caller and returns plain dataclasses. No Qt."""
