"""The call for projects: each season's call, the projects structures of the host directory
submit to it, their selection by a jury, their realisation by teams of learners."""
