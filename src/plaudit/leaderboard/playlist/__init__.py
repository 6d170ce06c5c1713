"""TV playlists: saved boards shown one after another on a screen, each for its own number of
seconds, watched signed in or through a revocable TV link."""
