"""Notifications: what members hear about, in the app and by email."""
