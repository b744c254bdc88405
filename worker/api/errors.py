"""Errors as JSON: `{"error": "...", "parameter": "..."}` with a 4xx status, never a bare 500.

Request validation (FastAPI's 422) becomes a 400 naming the parameter; a missing store or
broker is a 503; anything unexpected is logged with its traceback and answered with a 500 whose
body says nothing of the cause (errors can hold URLs and values that are not the client's).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from worker.api.auth import Unauthorized

log = logging.getLogger(__name__)


class BadParameter(Exception):
    """A request parameter the API cannot use: 400 with its name."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(parameter, message)
        self.parameter = parameter
        self.message = message


class NotFound(Exception):
    """An id the store does not have: 404."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unavailable(Exception):
    """Something the answer needs cannot be used now (the feed file): 503."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def error(status: int, message: str, parameter: str | None = None,
          headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"error": message}
    if parameter is not None:
        body["parameter"] = parameter
    return JSONResponse(body, status_code=status, headers=headers)


def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0]
    loc = [str(part) for part in first.get("loc", ())]
    parameter = loc[-1] if len(loc) > 1 else (loc[0] if loc else None)
    if loc and loc[0] == "header" and parameter:
        parameter = parameter.replace("_", "-")
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    return error(400, f"{parameter}: {message}" if parameter else message, parameter)


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation(request, exc)

    @app.exception_handler(BadParameter)
    async def bad_parameter(_: Request, exc: BadParameter) -> JSONResponse:
        return error(400, f"{exc.parameter}: {exc.message}", exc.parameter)

    @app.exception_handler(Unauthorized)
    async def unauthorized(_: Request, exc: Unauthorized) -> JSONResponse:
        return error(401, "a valid API key is required: Authorization: Bearer KEY",
                     headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(NotFound)
    async def not_found(_: Request, exc: NotFound) -> JSONResponse:
        return error(404, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = "no such endpoint"
        return error(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(Unavailable)
    async def unavailable(_: Request, exc: Unavailable) -> JSONResponse:
        return error(503, exc.message)

    @app.exception_handler(OperationalError)
    async def store_down(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("store_unreachable", extra={"path": request.url.path,
                                              "error": type(exc.orig).__name__})
        return error(503, "the store is not reachable")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("api_error", extra={"path": request.url.path})
        return error(500, "internal error")
