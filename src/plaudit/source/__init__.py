"""Sources: kinds of records with typed fields."""
