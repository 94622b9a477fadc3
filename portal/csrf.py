"""CSRF protection bound to the session (replaces Litestar's plain double-submit cookie).

A token is a random nonce with an HMAC over the nonce and the session cookie the browser holds,
so a token is good for one session only: a token planted in someone's cookie jar (or read before
they signed in) is refused once they sign in, and every sign-in and sign-out issues a new one,
in the very response that changes the session cookie. A state-changing request must carry the
token (the `X-CSRFToken` header htmx sends, or the `_csrf_token` form field) equal to the cookie.

The form is parsed here when the token is in the body; portal.uploads' body cap runs before this,
so an oversized body is refused before it is read, and malformed form text is a 400, not a 500.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie
from typing import Any

from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from portal.errors import RefusedInput
from portal.sessions import cookie_name as session_cookie_name
from settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HEADER = "x-csrftoken"
FORM_FIELD = "_csrf_token"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MALFORMED_FORM = ("The form could not be read: some of its text is not valid UTF-8. "
                  "Check what you entered, then try again.")


def csrf_cookie_name(settings: Settings) -> str:
    return "__Host-csrftoken" if settings.secure_cookies else "csrftoken"


def _signature(secret: str, nonce: str, session: str) -> str:
    return hmac.new(secret.encode(), f"{nonce}|{session}".encode(), hashlib.sha256).hexdigest()


def issue_token(secret: str, session: str) -> str:
    nonce = secrets.token_hex(16)
    return nonce + _signature(secret, nonce, session)


def token_is_for(token: str, secret: str, session: str) -> bool:
    nonce, signature = token[:32], token[32:]
    return len(nonce) == 32 and hmac.compare_digest(signature, _signature(secret, nonce, session))


def _request_cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope["headers"]:
        if name == b"cookie":
            jar.load(value.decode("latin-1"))
    return {key: morsel.value for key, morsel in jar.items()}


def _session_set_by(message: Message, session_cookie: str) -> str | None:
    """The session cookie value a response sets ("" when it deletes it), or None if it leaves it alone."""
    headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))  # type: ignore[call-overload]
    for name, value in headers:
        if name.lower() != b"set-cookie":
            continue
        jar: SimpleCookie = SimpleCookie()
        jar.load(value.decode("latin-1"))
        morsel = jar.get(session_cookie)
        if morsel is not None:
            return "" if morsel["max-age"] in ("0", 0) or not morsel.value else morsel.value
    return None


class SessionBoundCSRFMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.session_cookie = session_cookie_name(settings)
        self.cookie = csrf_cookie_name(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        secret = self.settings.secret_key
        cookies = _request_cookies(scope)
        session = cookies.get(self.session_cookie, "")
        held = cookies.get(self.cookie)
        state = ScopeState.from_scope(scope)
        if scope["method"] in SAFE_METHODS:
            fresh = held is None or not token_is_for(held, secret, session)
            token = issue_token(secret, session) if fresh or held is None else held
            state.csrf_token = token
            await self.app(scope, receive, self._renewing(send, token if fresh else None, secret))
            return
        sent = await self._sent_token(scope, receive)
        if not (held and sent and hmac.compare_digest(sent, held) and token_is_for(held, secret, session)):
            raise PermissionDeniedException("CSRF token verification failed")
        state.csrf_token = held
        await self.app(scope, receive, self._renewing(send, None, secret))

    async def _sent_token(self, scope: Scope, receive: Receive) -> str | None:
        # The form is read here once (the handler gets it from the scope): a malformed one is refused
        # in one place, whether its token came in the header or the body.
        request: Any = scope["litestar_app"].request_class(scope=scope, receive=receive)
        form: Any = {}
        if request.content_type[0] in _FORM_TYPES:
            try:
                form = await request.form()
            except UnicodeDecodeError as error:
                raise RefusedInput(400, MALFORMED_FORM) from error
        for name, value in scope["headers"]:
            if name == HEADER.encode():
                return value.decode("latin-1")
        value = form.get(FORM_FIELD)
        return value if isinstance(value, str) else None

    def _renewing(self, send: Send, token: str | None, secret: str) -> Send:
        """Set the CSRF cookie: a new token for a new visitor, and a new one whenever the session changes."""

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                new_session = _session_set_by(message, self.session_cookie)
                issued = issue_token(secret, new_session) if new_session is not None else token
                if issued is not None:
                    MutableScopeHeaders.from_message(message).add("set-cookie", self._cookie(issued))
            await send(message)

        return send_with_cookie

    def _cookie(self, token: str) -> str:
        # HttpOnly: nothing reads it from script; pages carry the token in their forms and hx-headers.
        return Cookie(key=self.cookie, value=token, path="/", secure=self.settings.secure_cookies, httponly=True,
                      samesite="lax").to_header(header="")
