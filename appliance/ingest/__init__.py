"""Ingest: journal cursor -> driver -> call legs grouped into calls, stored with the cursor (the worker)."""
