"""Identity: API tokens and the users who log in to the web pages."""
