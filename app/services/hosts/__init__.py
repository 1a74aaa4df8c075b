"""Host organisations and their tutors."""
