"""A member's own account: sessions, password, email, their data, and leaving."""
