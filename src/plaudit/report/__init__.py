"""Reports: completion of each achievement by team."""
