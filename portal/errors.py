"""Generic error pages: a status and a plain message, never a stack trace, SQL or token."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Template

from services.workflow_actions import ActionResult, ActionStatus

log = logging.getLogger(__name__)

_MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    403: ("Not allowed", "You do not have permission to do that."),
    404: ("Not found", "There is nothing here, or you do not have access to it."),
    405: ("Not allowed", "That action is not available here."),
    413: ("Too large", "What you sent is too large."),
    500: ("Something went wrong", "The error has been logged. Please try again later."),
}


class RefusedInput(HTTPException):
    """Input refused before any handler reads it (too large, unreadable); `message` is shown as is."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(detail=message, status_code=status_code)
        self.message = message


def error_page(status_code: int, message: str | None = None) -> Template:
    title, default = _MESSAGES.get(status_code, ("Error", "Something went wrong."))
    return Template(
        template_name="errors/error.html",
        context={"title": title, "message": message or default, "status_code": status_code},
        status_code=status_code,
    )


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def refusal_response(request: Request, result: ActionResult[Any]) -> Template:
    """What a caller refused by services.workflow_actions sees: the reason in place of the fragment
    they acted on (htmx) or an error page; never anything of the object itself."""
    if result.status is ActionStatus.NOT_FOUND:
        raise NotFoundException()
    if is_htmx(request):
        return Template(template_name="errors/_refusal.html", context={"message": result.message}, status_code=403)
    return error_page(403, result.message)


def not_authenticated(request: Request, _exc: NotAuthorizedException) -> Response:
    if is_htmx(request):
        return ClientRedirect("/login")
    return Redirect("/login", status_code=303)


def http_error(request: Request, exc: HTTPException) -> Response:
    # A CSRF refusal or a permission error: the status, a generic text, nothing internal.
    if not isinstance(exc, RefusedInput):
        return error_page(exc.status_code)
    if is_htmx(request):
        return Template(template_name="errors/_refusal.html", context={"message": exc.message},
                        status_code=exc.status_code)
    return error_page(exc.status_code, exc.message)


def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(500)
