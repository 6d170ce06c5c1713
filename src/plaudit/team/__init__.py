"""Teams: teams of employees or partner companies."""
