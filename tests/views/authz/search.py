"""Search: the similar-ideas page and its JSON (the list's ?q= search is the public /ideas row)."""
from . import public

ROWS = [
    public("GET", "/ideas/similar"),
]
