"""Bulk giving: one achievement to the members listed in a CSV file, in one transaction."""
