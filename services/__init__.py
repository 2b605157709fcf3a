"""Services: what the bot decides, between the handlers (which talk) and storage (which stores).

A service function takes plain values, runs its reads and one transaction, and returns a
plain result (a dataclass) that the caller renders from the message catalog. It never talks to
Telegram, so nothing is ever sent while the database is locked.
"""
