"""Admin settings: users and roles, statuses, categories, the audit log; and the statuses' badge colours."""
