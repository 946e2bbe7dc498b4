"""Full-text search over ideas (SQLite FTS5 or PostgreSQL tsvector) and similar-idea suggestions."""
