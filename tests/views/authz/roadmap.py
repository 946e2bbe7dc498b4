"""The roadmap, ideas in action, public statistics and the Atom feeds: public, read-only pages."""
from . import public

ROWS = [
    public("GET", "/roadmap"),
    public("GET", "/implemented"),
    public("GET", "/stats"),
    public("GET", "/feeds/ideas.atom"),
    public("GET", "/feeds/categories/<category_slug>.atom"),
    public("GET", "/feeds/campaigns/<slug>.atom"),
    public("GET", "/ideas/<int:idea_id>/status.atom"),
]
