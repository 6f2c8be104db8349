"""Keep Open311 API keys out of every log line Minsheng writes.

A key sent in a query string (``?api_key=...``) would otherwise be copied into the access log
and into any message quoting a URL; whoever reads the logs could then post as that client.
:class:`ApiKeyFilter` is installed on Django's log handlers (settings.LOGGING) and
:class:`GunicornLogger` is the access logger of ``manage.py serve`` and of the documented
gunicorn command line (docs/deployment.md).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

# ``api_key=VALUE`` up to the next separator, in a query string, a form body or a message;
# also percent-encoded names such as ``api%5Fkey``.
_API_KEY_RE = re.compile(r"(?i)\b(api(?:_|%5f)key=)[^&\s\"';,]*")
MASK = "***"


def scrub(text: str) -> str:
    """``text`` with the value of every ``api_key=`` replaced by ``***``."""
    return _API_KEY_RE.sub(rf"\g<1>{MASK}", text)


class ApiKeyFilter(logging.Filter):
    """Rewrites a record whose message would contain an API key; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class GunicornLogger(Logger):  # type: ignore[misc]  # gunicorn ships no types
    """Gunicorn's logger with every access-log atom scrubbed: the request line, the query
    string, the referer, the environ copies of them, and the ``X-Api-Key`` header itself, so
    no ``--access-logformat`` an operator picks can print a key."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        for name, value in atoms.items():
            if name in ("{x-api-key}i", "{http_x_api_key}e"):
                atoms[name] = MASK
            elif isinstance(value, str):
                atoms[name] = scrub(value)
        return atoms
