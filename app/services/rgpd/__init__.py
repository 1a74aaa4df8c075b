"""Personal-data rights: access, retention, anonymisation and erasure."""
