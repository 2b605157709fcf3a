"""Services: what the bot decides, between the handlers (which talk) and storage (which stores)."""
