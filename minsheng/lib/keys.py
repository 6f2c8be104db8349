"""Random keys handed to machines (API tokens, Open311 keys)."""

from __future__ import annotations

import secrets


def command_line_safe_key() -> str:
    """A random URL-safe key (32 bytes) whose first character is not "-": a key's prefix names
    it on the command line (`revoke PREFIX`), where a leading dash would be read as an option."""
    while (key := secrets.token_urlsafe(32)).startswith("-"):
        pass
    return key
