"""The rule engine: records in, progress and awards out."""
