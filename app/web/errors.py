"""Error responses: friendly pages in the site layout for browsers, JSON for API clients.

No traceback ever reaches a client; server errors are logged with theirs.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

logger = logging.getLogger("chorus.errors")

FRIENDLY_MESSAGES = {
    400: "Something in that request was not right. Please go back and try again.",
    403: "You do not have permission to see this page.",
    410: "That link has expired or has already been used.",
    404: "We could not find that page. It may have moved, or the link may be wrong.",
    405: "That page cannot be used this way.",
    413: "That was too much to send in one go.",
    429: "Too many requests. Please wait a minute and try again.",
    500: "Something went wrong on our side. It is not your fault. Please try again later.",
    503: "Chorus is not available right now. Please try again later.",
}


def _wants_html(request: Request) -> bool:
    return request.accept.best_match([MediaType.HTML, MediaType.JSON], default=MediaType.JSON) == MediaType.HTML


CSRF_MESSAGE = (
    "This form had expired or was sent from somewhere else, so nothing was saved. "
    "Go back, reload the page and try again."
)


PARTICIPANT_LAYOUT = "_participant.html"
STAFF_LAYOUT = "base.html"
# Public, but only staff use them: signing in, resetting a password, accepting an invitation.
STAFF_SIGN_IN_PATHS = ("/login", "/logout", "/password/", "/invite/")


def error_layout(request: Request) -> str:
    """Participant pages, and pages anyone may land on, keep quick exit and help; an error on a
    staff page stays in the staff layout, so staff never see a young person's quick exit."""
    path = request.url.path
    if path == "/join" or path.startswith(("/s/", "/r/", "/receipt")):
        return PARTICIPANT_LAYOUT
    handler = request.scope.get("route_handler")
    guarded = handler is not None and not (handler.opt or {}).get("public")
    if guarded or path.startswith(STAFF_SIGN_IN_PATHS) or request.scope.get("user") is not None:
        return STAFF_LAYOUT
    return PARTICIPANT_LAYOUT


def _render(request: Request, status_code: int, detail: str | None = None, message: str | None = None,
            extra: list | None = None) -> Response:
    message = message or FRIENDLY_MESSAGES.get(status_code, HTTPStatus(status_code).phrase)
    if _wants_html(request):
        template = "errors/404.html" if status_code == 404 else "errors/error.html"
        return Template(
            template_name=template,
            context={"status_code": status_code, "title": HTTPStatus(status_code).phrase, "message": message, "layout": error_layout(request)},
            status_code=status_code,
        )
    content = {"status_code": status_code, "detail": detail or message}
    if extra:
        content["extra"] = extra  # which parameter was wrong and why ("Expected `int` <= 2147483647")
    return Response(
        content=content,
        status_code=status_code,
        media_type=MediaType.JSON,
    )


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    """4xx and deliberate 5xx: the client may see the exception's own detail in JSON."""
    if exc.status_code >= 500:
        return server_error_handler(request, exc)
    if exc.status_code == 401 and _wants_html(request):
        # A browser that is not signed in goes to the sign-in page and comes back afterwards.
        return Redirect(f"/login?next={quote(request.url.path)}")
    if exc.status_code == 403 and "csrf" in str(exc.detail).lower():
        return _render(request, 403, detail=exc.detail, message=CSRF_MESSAGE)
    return _render(request, exc.status_code, exc.detail, extra=exc.extra if isinstance(exc.extra, list) else None)


def server_error_handler(request: Request, exc: Exception) -> Response:
    """Anything unexpected: log it with its traceback, show the client only a friendly page."""
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    status_code = getattr(exc, "status_code", HTTP_500_INTERNAL_SERVER_ERROR)
    return _render(request, status_code)


BAD_FORM_MESSAGE = "That form was not sent the way our pages send it, so nothing was saved. Go back, reload the page and try again."


def bad_form_handler(request: Request, exc: Exception) -> Response:
    """A form no page of ours could have sent (tampered, or not UTF-8): 400, nothing stored."""
    logger.info("refused a malformed form on %s: %s", request.url.path, exc)
    return _render(request, 400, detail=BAD_FORM_MESSAGE, message=BAD_FORM_MESSAGE)
