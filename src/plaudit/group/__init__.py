"""Groups: audiences, static and/or ad hoc."""
