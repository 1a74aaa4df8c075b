"""The six-week orientation period: cohorts, the team-work grid, decisions."""
