"""Access: web users, roles and the data scope every query of call data goes through."""
