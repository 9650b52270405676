"""Request shapes the OpenAPI schema states but the framework lets through: query parameters a route
does not declare (`?limt=5` silently ignored) and path dates written some other way than YYYY-MM-DD
(pydantic would read `0` as 1970-01-01). Both answer 422 with the problem, like any bad input."""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from planner.io.tables import closest

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def strict_request(request: Request) -> None:
    """A dependency of every route: 422 for unknown query parameters and non-ISO path dates."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    allowed = query_names(dependant)
    errors = []
    for name in dict.fromkeys(request.query_params.keys()):
        if name not in allowed:
            hint = closest(name, allowed)
            msg = f"unknown query parameter {name!r}" + (f"; did you mean {hint!r}?" if hint else "")
            errors.append({"loc": ("query", name), "msg": msg, "type": "extra_forbidden",
                           "input": request.query_params.get(name)})
    for name, value in request.path_params.items():
        if name == "date" and not ISO_DATE.match(str(value)):
            errors.append({"loc": ("path", name), "msg": "expected a date YYYY-MM-DD", "type": "date_from_datetime_parsing",
                           "input": value})
    if errors:
        raise RequestValidationError(errors)


def query_names(dependant) -> set[str]:
    """The query parameters a route and its dependencies declare (by the name a client sends)."""
    names, stack = set(), [dependant]
    while stack:
        current = stack.pop()
        names |= {p.alias for p in current.query_params}
        stack.extend(current.dependencies)
    return names
