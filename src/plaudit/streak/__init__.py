"""Streaks: a rule met in consecutive days (working days), weeks or months."""
