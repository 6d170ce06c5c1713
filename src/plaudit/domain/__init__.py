"""The vocabulary every layer shares (categories, award origins, audiences): pure, no I/O."""
