"""Reads of the startups app used by views, forms, the API and tasks, by topic."""
