"""Merging and unmerging ideas: product managers and admins."""
from . import staff

ROWS = [
    staff("GET", "/admin/ideas/<int:idea_id>/merge"),
    staff("POST", "/admin/ideas/<int:idea_id>/merge", into="{other_idea_id}"),
    staff("POST", "/admin/ideas/<int:idea_id>/unmerge"),
]
