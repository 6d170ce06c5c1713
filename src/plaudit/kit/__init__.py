"""Cross-domain helpers with no business rules."""
