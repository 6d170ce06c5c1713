"""Leaderboards: members ranked by points or by an aggregate of a source."""
