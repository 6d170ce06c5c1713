"""Achievements: definitions, versions, lifecycle and badges."""
