"""Following ideas: any logged-in member."""
from . import members

ROWS = [
    members("POST", "/ideas/<int:idea_id>/follow"),
    members("POST", "/ideas/<int:idea_id>/unfollow"),
]
