"""The member's portal view: every visible achievement with progress, awards and points."""
