"""Delivery: the outbox, e-mail, file-server uploads and scheduled reports."""
