"""Awards: giving, revoking and listing; the category limits live here and in the indexes."""
