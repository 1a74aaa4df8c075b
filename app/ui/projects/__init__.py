"""Projets: the season's call for projects, its selection and the projects' realisation."""
