"""The Journal et RGPD view (coordination): the audit log and the retention of data."""
