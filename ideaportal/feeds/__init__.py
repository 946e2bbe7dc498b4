"""Atom feeds: new ideas (all, per category, per Storm Session) and each idea's status updates."""
