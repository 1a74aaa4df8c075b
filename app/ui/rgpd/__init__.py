"""Personal-data rights in the window: person export, erasure, retention and anonymisation."""
