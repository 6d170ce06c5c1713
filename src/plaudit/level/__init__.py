"""Levels: named points thresholds and the level each member is at."""
