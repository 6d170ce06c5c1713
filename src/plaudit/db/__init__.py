"""Database layer: base metadata, column types, engines, sessions, locks and migrations."""
