"""Monitoring: a team's recent activity, recent achievements and achievements completed."""
