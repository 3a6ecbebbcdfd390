"""Backup and restore (APP-3): the box's configuration, users, directory, tariffs and optionally its calls and journal,
as one encrypted, authenticated stream (crypto) holding a tar archive (archive)."""
