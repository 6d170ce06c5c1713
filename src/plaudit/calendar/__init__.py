"""The organisation calendar: working weekdays and holidays."""
