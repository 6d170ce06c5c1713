"""Audit log: who gave, revoked, activated, deactivated, edited or deleted what, and why."""
