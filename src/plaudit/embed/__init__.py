"""Embedding: signed, expiring links that show one member's portal or one leaderboard in a
frame on another site, read-only and without signing in."""
