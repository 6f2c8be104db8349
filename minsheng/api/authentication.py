"""`Authorization: Token <key>`, checked against the hashed keys of minsheng.api.models.ApiToken."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from minsheng.api.tokens import token_authenticate

KEYWORD = "Token"


class TokenAuthentication(authentication.BaseAuthentication):
    """Sets `request.user` to the token's user and `request.auth` to the ApiToken.

    No header, or another scheme: not ours (None), so the request stays anonymous and the
    permission check answers 401. A Token header with a wrong, revoked or malformed key: 401 at
    once, never a fall-back to another scheme.
    """

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式应为：Authorization: Token <密钥>。"))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("令牌无效。")) from None
        token = token_authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效或已吊销。"))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return KEYWORD
