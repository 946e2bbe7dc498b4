"""The leaderboard and member profiles: public, read-only pages."""
from . import public

ROWS = [
    public("GET", "/leaderboard"),
    public("GET", "/users/<username>"),
]
