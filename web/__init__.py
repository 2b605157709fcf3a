"""The web dashboard (驾驶舱): read-only pages served by the bot's own process.

People sign in with a one-time link from /web; every request is checked against the person's
current roles and scope, which are the bot's own (web.access). Pages read through the same
storage and ranking functions as the bot's commands, so figures agree with /status and /rank.
"""
