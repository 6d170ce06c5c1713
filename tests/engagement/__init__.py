"""Levels, secret achievements and rarity."""
