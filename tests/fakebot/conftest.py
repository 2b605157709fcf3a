"""Make the fake_api fixture available to the fake server's own tests."""

from .fixtures import fake_api

__all__ = ["fake_api"]
