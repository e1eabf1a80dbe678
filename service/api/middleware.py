"""ASGI middleware: a request id and one log line per request; a body size limit."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.problems import PROBLEM_MEDIA_TYPE

log = logging.getLogger("service.requests")

REQUEST_ID_HEADER = "x-request-id"
# A caller's id is echoed only if it looks like an id, so logs stay one line each.
CALLER_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


class RequestContext:
    """Give each request an id (echoed in X-Request-ID) and log it when it ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request, then log route, status and duration."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER.encode(), b"").decode()
        request_id = given if CALLER_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            principal = scope.get("state", {}).get("principal")
            log.info(
                "request method=%s route=%s path=%s status=%d duration_ms=%.2f "
                "request_id=%s key_id=%s",
                scope["method"],
                getattr(route, "path", "-"),
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
                request_id,
                getattr(principal, "key_id", "-"),
            )


# The routes that take files; every other body has the JSON limit, whatever its
# declared content type.
UPLOAD_PATHS = frozenset({"/v1/catalog/imports"})


class BodySizeLimit:
    """Refuse request bodies over a size with 413, before the route reads them.

    File uploads (multipart) have a limit of their own, as catalogue files are
    larger than any JSON body.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_json_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check Content-Length, then count the bytes as they arrive."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        upload = scope["path"] in UPLOAD_PATHS
        limit = self.max_upload_bytes if upload else self.max_json_bytes
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, send, limit)
            return
        received = 0
        too_large = False
        refused = False

        async def counted() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise BodyTooLarge
            return message

        async def answer(message: Message) -> None:
            # Once the body is over the limit, whatever the app answers (it may
            # turn the interruption into a 400) is replaced by one 413.
            nonlocal refused
            if not too_large:
                await send(message)
            elif not refused:
                refused = True
                await self._refuse(scope, send, limit)

        try:
            await self.app(scope, counted, answer)
        except BodyTooLarge:
            if not refused:
                await self._refuse(scope, send, limit)

    @staticmethod
    async def _refuse(scope: Scope, send: Send, limit: int) -> None:
        body: dict[str, Any] = {
            "type": "/problems/too-large",
            "title": "Request body too large",
            "status": 413,
            "detail": f"the body is over the limit of {limit} bytes",
            "instance": scope["path"],
        }
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                    (b"content-length", str(len(payload)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


class BodyTooLarge(Exception):
    """Raised inside the app when a streamed body passes the limit."""
