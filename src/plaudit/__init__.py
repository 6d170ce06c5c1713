"""Plaudit: an achievements engine."""

__version__ = "0.1.0"
