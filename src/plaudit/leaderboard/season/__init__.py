"""Seasons: the archived final standings of a seasonal board's ended periods, and the season
awards given to their top places."""
