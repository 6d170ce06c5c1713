"""Boards: leaderboards saved under a human name by admins and managers, and published to
members, who see points and published boards only."""
