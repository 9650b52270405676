"""Scenarios: upload (JSON body or the coordinator's files), validate, list, get."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.auth import Caller, coordinators, readers
from api.errors import responses
from api.intake import Upload, from_files, from_json_bytes
from api.schemas import ProblemOut, ScenarioList, ScenarioOut, ValidationOut
from api.store import Store, scenario_out, scenario_summary

router = APIRouter(prefix="/v1/scenarios", tags=["scenarios"])
JSON_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Scenario"}}}}}


def _store(request: Request) -> Store:
    return request.app.state.store


async def _json_scenario(request: Request):
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise HTTPException(415, "send the scenario as application/json (or the files to /v1/scenarios/files)")
    raw = await request.body()
    return await run_in_threadpool(from_json_bytes, raw, request.app.state.settings.max_sites)


async def _file_scenario(request: Request, scenario: UploadFile, tables: list[UploadFile]):
    uploads = [Upload(t.filename or "", await t.read()) for t in tables]
    main = Upload(scenario.filename or "", await scenario.read())
    return await run_in_threadpool(from_files, main, uploads, request.app.state.settings.max_sites)


def _created(request: Request, who: Caller, scenario, report) -> ScenarioOut:
    record = _store(request).add_scenario(scenario, who.key_id)
    return scenario_out(record, [ProblemOut.of(p) for p in report.warnings])


@router.post("", status_code=201, response_model=ScenarioOut, openapi_extra=JSON_BODY,
             responses=responses(400, 401, 403, 413, 415, 422), summary="Upload a scenario as JSON")
async def create_scenario(request: Request, who: Caller = Depends(coordinators)) -> ScenarioOut:
    """Store a `Scenario` sent as JSON; 422 lists every problem (file, row, field, reason)."""
    scenario, report = await _json_scenario(request)
    return await run_in_threadpool(_created, request, who, scenario, report)


@router.post("/files", status_code=201, response_model=ScenarioOut, responses=responses(400, 401, 403, 413, 422),
             summary="Upload the coordinator's files")
async def upload_scenario(
    request: Request,
    scenario: Annotated[UploadFile, File(description="scenario.yaml or .json")],
    tables: Annotated[list[UploadFile], File(description="the CSV/XLSX/GeoJSON tables it names")] = [],  # noqa: B006
    who: Caller = Depends(coordinators),
) -> ScenarioOut:
    """Store a scenario from scenario.yaml and its tables, read by the same loader as the CLI."""
    loaded, report = await _file_scenario(request, scenario, tables)
    return await run_in_threadpool(_created, request, who, loaded, report)


@router.post("/validate", response_model=ValidationOut, openapi_extra=JSON_BODY,
             responses=responses(400, 401, 403, 413, 415, 422), summary="Check a JSON scenario without storing it")
async def validate_scenario(request: Request, _: Caller = Depends(coordinators)) -> ValidationOut:
    """200 with warnings when it would load; 422 with the loader's full report when it would not."""
    scenario, report = await _json_scenario(request)
    return _valid(scenario, report)


@router.post("/files/validate", response_model=ValidationOut, responses=responses(400, 401, 403, 413, 422),
             summary="Check the coordinator's files without storing them")
async def validate_files(
    request: Request,
    scenario: Annotated[UploadFile, File()],
    tables: Annotated[list[UploadFile], File()] = [],  # noqa: B006 (none: the loader names what the scenario misses)
    _: Caller = Depends(coordinators),
) -> ValidationOut:
    """Like /v1/scenarios/validate, for scenario.yaml and its tables."""
    loaded, report = await _file_scenario(request, scenario, tables)
    return _valid(loaded, report)


def _valid(scenario, report) -> ValidationOut:
    return ValidationOut(valid=True, summary=report.summary(), sites=len(scenario.sites), teams=len(scenario.teams),
                         problems=[ProblemOut.of(p) for p in report.problems])


@router.get("", response_model=ScenarioList, responses=responses(401, 403, 422))
def list_scenarios(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    _: Caller = Depends(readers),
) -> ScenarioList:
    """Stored scenarios, newest first."""
    rows, total = _store(request).list_scenarios(limit, offset)
    return ScenarioList(items=[scenario_summary(r) for r in rows], total=total)


@router.get("/{scenario_id}", response_model=ScenarioOut, responses=responses(401, 403, 404, 422))
def get_scenario(
    request: Request,
    scenario_id: str,
    include: Annotated[str | None, Query(pattern="^scenario$", description="`scenario`: add the full Scenario")] = None,
    _: Caller = Depends(readers),
) -> ScenarioOut:
    """One stored scenario's summary (and with ?include=scenario the Scenario itself)."""
    store = _store(request)
    record = store.scenario_record(scenario_id) if _is_id(scenario_id) else None
    if record is None:
        raise HTTPException(404, f"no scenario {scenario_id!r}")
    return scenario_out(record, scenario=json.loads(store.scenario_json(record.id)) if include else None)


def _is_id(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)


