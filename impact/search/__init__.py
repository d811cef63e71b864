"""Search over what a person may read (issue #20): PostgreSQL full-text search in production,
a plain word match on SQLite."""
