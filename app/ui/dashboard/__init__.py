"""Tableau de bord (coordination): the funders' indicators of the header's season and site."""
