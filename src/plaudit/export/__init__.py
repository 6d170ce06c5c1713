"""Exports: awards as CSV, streamed, for the HTTP API and the CLI alike."""
