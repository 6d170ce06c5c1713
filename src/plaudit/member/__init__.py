"""Members: the people who earn achievements."""
