"""Comments on ideas: post, edit, delete (soft)."""
