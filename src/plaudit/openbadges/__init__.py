"""Portable badges: published awards as Open Badges (2.0 hosted here; 3.0 beside it)."""
