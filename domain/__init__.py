"""Pure domain logic for Jinzhan: money, stages, project-list import. No I/O, no Telegram."""
