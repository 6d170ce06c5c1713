"""Open Badges: publishing awards as portable badges (OB 2.0 assertions, OB 3.0 credentials)."""
