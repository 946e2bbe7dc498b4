"""Moderation: members flag ideas and comments; staff dismiss the flags or hide the content."""
