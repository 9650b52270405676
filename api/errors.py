"""Error responses: every bad request answers a 4xx with a sentence and, for bad input, each problem."""

from __future__ import annotations

import json

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


def document_errors(schema: dict) -> dict:
    """Make the OpenAPI schema say what the handlers answer: every 422 is an ErrorOut (not FastAPI's
    HTTPValidationError), and every operation that takes an API key documents its 401 (and 429 for
    the ones that queue jobs is set on the route)."""
    for path, item in schema.get("paths", {}).items():
        for _method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            answers = op["responses"]
            answers["422"] = {**ERRORS_DOC[422], "content": dict(JSON_ERROR)}  # any route: api.strict's checks
            if "requestBody" in op and "400" not in answers:  # a body the framework cannot parse
                answers["400"] = {**ERRORS_DOC[400], "content": dict(JSON_ERROR)}
            if op.get("security") is not None or path.startswith("/v1/plans") or path.startswith("/v1/scenarios"):
                if "401" not in answers:
                    html = any("text/html" in (r.get("content") or {}) for c, r in answers.items() if c.startswith("2"))
                    content = {**JSON_ERROR, **({"text/html": {"schema": {"type": "string"}}} if html else {})}
                    answers["401"] = {**ERRORS_DOC[401], "content": content}
    components = schema.get("components", {}).get("schemas", {})
    text = json.dumps(schema.get("paths", {}))
    for unused in ("HTTPValidationError", "ValidationError"):
        if f"#/components/schemas/{unused}" not in text:
            components.pop(unused, None)
    return schema


ERRORS_DOC = {code: {"description": e["description"]} | ({"headers": e["headers"]} if "headers" in e else {})
              for code, e in ERRORS.items()}


def error_body(detail: str, problems: list[ProblemOut] = ()) -> dict:
    return ErrorOut(detail=detail, problems=list(problems)).model_dump(mode="json")


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the ErrorOut shape."""

    @app.exception_handler(HTTPException)  # Starlette's: also the framework's own 400, 404 and 405
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # Starlette names only the first route of the path; list them all
            headers["Allow"] = ", ".join(_allowed_methods(app, request.scope))
        return JSONResponse(error_body(str(exc.detail)), status_code=exc.status_code, headers=headers or None)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [_problem(e) for e in exc.errors()]
        return JSONResponse(error_body(f"invalid request: {len(problems)} problem(s)", problems), status_code=422)

    @app.exception_handler(Rejected)
    async def rejected(_request: Request, exc: Rejected) -> JSONResponse:
        problems = [ProblemOut.of(p) for p in exc.report.problems]
        return JSONResponse(error_body(f"{exc.what} not valid: {exc.report.summary()}", problems), status_code=422)


def _allowed_methods(app: FastAPI, scope: dict) -> list[str]:
    """Every method some route of this path answers (HEAD with GET, as Starlette does)."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in app.router.routes:
        match, _ = route.matches({**scope, "method": "GET"})
        if match != Match.NONE and getattr(route, "methods", None):
            methods |= set(route.methods)
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def _problem(error: dict) -> ProblemOut:
    loc = tuple(error.get("loc", ()))
    where = str(loc[0]) if loc else "request"
    field = ".".join(str(x) for x in loc[1:]) or None
    value = show_value(error["input"]) if "input" in error and error["input"] is not None else None
    return ProblemOut(file=where, field=field, value=value, reason=str(error.get("msg", "invalid")))
