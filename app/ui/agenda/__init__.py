"""The agenda: the week of a site, its information sessions and interviews, and the dialogs
that create, move and cancel them (shared with the candidate's Rendez-vous tab)."""
