"""Files shipped with the application: installed as the package `app.resources`
(pyproject.toml), read through app.resources_access."""
