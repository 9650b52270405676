"""Error responses: every bad request answers a 4xx with a sentence and, for bad input, each problem."""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.intake import Rejected
from api.schemas import ErrorOut, ProblemOut
from planner.io.problems import show_value

ERRORS = {
    400: {"model": ErrorOut, "description": "the body could not be read (e.g. not UTF-8)"},
    401: {"model": ErrorOut, "description": "no API key, or an unknown one"},
    403: {"model": ErrorOut, "description": "the key's role may not do this"},
    404: {"model": ErrorOut, "description": "no such resource (or not visible to this key)"},
    409: {"model": ErrorOut, "description": "conflicts with the resource's state"},
    413: {"model": ErrorOut, "description": "the request body is larger than the server accepts"},
    415: {"model": ErrorOut, "description": "unsupported content type"},
    422: {"model": ErrorOut, "description": "invalid input: every problem with file/row/field/reason"},
    429: {"model": ErrorOut, "description": "too many plan jobs queued (for this key or in all); retry after "
                                            "the seconds in the Retry-After header",
          "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}},
}


JSON_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}


def responses(*codes: int) -> dict:
    """OpenAPI entries for these error codes; always JSON, also on routes that answer HTML."""
    return {c: {**ERRORS[c], "content": dict(JSON_ERROR)} for c in codes}


def error_body(detail: str, problems: list[ProblemOut] = ()) -> dict:
    return ErrorOut(detail=detail, problems=list(problems)).model_dump(mode="json")


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the ErrorOut shape."""

    @app.exception_handler(HTTPException)  # Starlette's: also the framework's own 400, 404 and 405
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(error_body(str(exc.detail)), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [_problem(e) for e in exc.errors()]
        return JSONResponse(error_body(f"invalid request: {len(problems)} problem(s)", problems), status_code=422)

    @app.exception_handler(Rejected)
    async def rejected(_request: Request, exc: Rejected) -> JSONResponse:
        problems = [ProblemOut.of(p) for p in exc.report.problems]
        return JSONResponse(error_body(f"{exc.what} not valid: {exc.report.summary()}", problems), status_code=422)


def _problem(error: dict) -> ProblemOut:
    loc = tuple(error.get("loc", ()))
    where = str(loc[0]) if loc else "request"
    field = ".".join(str(x) for x in loc[1:]) or None
    value = show_value(error["input"]) if "input" in error and error["input"] is not None else None
    return ProblemOut(file=where, field=field, value=value, reason=str(error.get("msg", "invalid")))
