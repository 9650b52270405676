"""The console's HTML fragments (under /console/f/), fetched by the page with the API key in the
X-API-Key header and swapped in by htmx.

Every fragment is a client of the API's own rules: the same key check and roles (`api.auth`), the same
intake for uploads (`api.intake`), the same functions behind POST /v1/plans, cancel, re-plan from
reports and GET /v1/plans/{id} (a field key's view of a plan is the API's `team_view`). An error the API
would answer as JSON is answered here as an HTML fragment with the same status and sentence.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from markupsafe import Markup
from pydantic import ValidationError

from api.auth import Caller, Role, anyone, coordinators, readers
from api.intake import Rejected, Upload, from_files
from api.reports import plan_reports
from api.routes.plans import _view, cancel_plan, create_plan, visible_job
from api.routes.reports import ReplanFromReports, replan_from_reports
from api.routes.scenarios import _created
from api.schemas import JobOut, PlanRequest, ProblemOut
from api.store import job_out, scenario_out, scenario_summary
from planner.io.bundled import available_examples

from console import views
from console.examples import example_uploads
from console.history import plan_history, root_scenario
from console.i18n import labels, pick_lang
from console.render import render, render_text, split_uploads

router = APIRouter(prefix="/console/f", include_in_schema=False)
ACTIVE = ("queued", "running")
CAMPAIGN_DAYS = 26  # the campaign form's deadline: the Saturday four weeks on from a Monday start


def lang_of(request: Request) -> str:
    """The console's language, sent by the page in X-Console-Lang (default Bahasa Indonesia)."""
    return pick_lang(request.headers.get("X-Console-Lang"))


Lang = Annotated[str, Depends(lang_of)]


def _error(exc: HTTPException, lang: str) -> Response:
    return render("error.html", lang, status=exc.status_code, detail=str(exc.detail), code=exc.status_code)


def _problems(problems: list[ProblemOut], lang: str, status: int = 422) -> Response:
    errors = sum(p.severity == "error" for p in problems)
    return render("problems.html", lang, status=status, problems=problems, errors=errors, warnings=len(problems) - errors)


def _invalid(exc: ValidationError, lang: str) -> Response:
    return _problems([ProblemOut(file="form", field=".".join(map(str, e["loc"])) or None, reason=e["msg"],
                                 value=None if e.get("input") is None else str(e["input"])[:80])
                      for e in exc.errors(include_url=False)], lang)


@router.get("/home")
def home(request: Request, lang: Lang, who: Caller = Depends(anyone)) -> Response:
    """The signed-in start: upload (coordinators), the scenarios (readers) and the plans this key may see."""
    store = request.app.state.store
    scenarios = [scenario_summary(r) for r in store.list_scenarios(50, 0)[0]] if who.role != Role.field else []
    team = who.team_id if who.role == Role.field else None
    jobs = [job_out(j) for j in store.list_jobs(None, None, 50, 0, team)[0]]
    names = {s.id: s.name for s in scenarios}
    for j in jobs:
        if j.scenario_id not in names:
            record = store.scenario_record(j.scenario_id)
            names[j.scenario_id] = record.name if record else j.scenario_id
    return render("home.html", lang, request=request, who=who, scenarios=scenarios, jobs=jobs, names=names, examples=available_examples())


@router.post("/upload")
async def upload(request: Request, lang: Lang, files: Annotated[list[UploadFile], File()],
                 who: Caller = Depends(coordinators)) -> Response:
    """The coordinator's files: the scenario file is found among them; the rest are its tables."""
    uploads = [Upload(f.filename or "", await f.read()) for f in files]
    return await _intake(request, lang, who, uploads)


@router.post("/example")
async def use_example(request: Request, lang: Lang, name: Annotated[str, Form(max_length=60)],
                      who: Caller = Depends(coordinators)) -> Response:
    """A bundled example's files, through the same intake as an upload."""
    if name not in available_examples():
        return _error(HTTPException(404, f"no bundled example {name!r}"), lang)
    return await _intake(request, lang, who, example_uploads(name))


async def _intake(request: Request, lang: str, who: Caller, uploads: list[Upload]) -> Response:
    main, tables, problem = split_uploads(uploads, labels(lang))
    if problem:
        return _problems([ProblemOut(file=", ".join(u.name for u in uploads) or "-", reason=problem)], lang)
    try:
        loaded, report = await run_in_threadpool(from_files, main, tables, request.app.state.settings.max_sites)
    except Rejected as exc:
        return _problems([ProblemOut.of(p) for p in exc.report.problems], lang)
    out = await run_in_threadpool(_created, request, who, loaded, report)
    return render("scenario.html", lang, who=who, scenario=out, history=[], saved=True, campaigns=[],
                  week=views.week_label(out.horizon_start, out.horizon_days, lang),
                  campaign_deadline=out.horizon_start + dt.timedelta(days=CAMPAIGN_DAYS))


@router.get("/scenarios/{scenario_id}")
def scenario_page(request: Request, lang: Lang, scenario_id: str, who: Caller = Depends(readers)) -> Response:
    """A stored scenario: its summary, the plan form, and its plans over time."""
    store = request.app.state.store
    record = store.scenario_record(scenario_id) if _is_id(scenario_id) else None
    if record is None:
        return _error(HTTPException(404, f"no scenario {scenario_id!r}"), lang)
    out = scenario_out(record)
    campaigns = store.list_jobs(scenario_id, None, 20, 0, None, campaigns=True)[0]
    return render("scenario.html", lang, request=request, who=who, scenario=out, history=plan_history(store, scenario_id),
                  saved=False, campaigns=campaigns,
                  week=views.week_label(out.horizon_start, out.horizon_days, lang),
                  campaign_deadline=out.horizon_start + dt.timedelta(days=CAMPAIGN_DAYS))


@router.post("/plans")
def start_plan(request: Request, response: Response, lang: Lang,
               scenario_id: Annotated[str, Form(max_length=64)],
               time_limit_s: Annotated[str, Form(max_length=20)] = "30",
               seed: Annotated[str, Form(max_length=20)] = "0",
               idempotency: Annotated[str | None, Form(max_length=64, pattern=r"^[0-9a-f]{8,64}$")] = None,
               who: Caller = Depends(coordinators)) -> Response:
    """Start a solve as POST /v1/plans does (the form's token makes a double submit one job)."""
    try:
        body = PlanRequest(scenario_id=scenario_id, time_limit_s=time_limit_s, seed=seed)
    except ValidationError as exc:
        return _invalid(exc, lang)
    try:
        job = create_plan(request, response, body, 0, idempotency, who)
    except HTTPException as exc:
        return _error(exc, lang)
    return _job_page(request, job, who, lang)


@router.get("/plans/{plan_id}")
def plan_page(request: Request, lang: Lang, plan_id: str, who: Caller = Depends(anyone)) -> Response:
    """A plan: its progress while it runs (the page polls), then everything the plan says."""
    store = request.app.state.store
    try:
        job = _view(store, visible_job(store, plan_id, who), who)
    except HTTPException as exc:
        return _error(exc, lang)
    return _job_page(request, job, who, lang)


@router.post("/plans/{plan_id}/cancel")
def cancel(request: Request, lang: Lang, plan_id: str, who: Caller = Depends(coordinators)) -> Response:
    """Cancel a queued or running solve (DELETE /v1/plans/{id})."""
    try:
        job = cancel_plan(request, plan_id, who)
    except HTTPException as exc:
        return _error(exc, lang)
    return _job_page(request, job, who, lang)


@router.post("/plans/{plan_id}/replan")
def replan(request: Request, response: Response, lang: Lang, plan_id: str,
           time_limit_s: Annotated[str, Form(max_length=20)] = "30",
           seed: Annotated[str, Form(max_length=20)] = "0",
           start: Annotated[str, Form(max_length=40, alias="from")] = "",
           idempotency: Annotated[str | None, Form(max_length=64, pattern=r"^[0-9a-f]{8,64}$")] = None,
           who: Caller = Depends(coordinators)) -> Response:
    """Re-plan from now (or the time given) with every field report: POST .../replan-from-reports."""
    try:
        body = ReplanFromReports.model_validate({"time_limit_s": time_limit_s, "seed": seed,
                                                 **({"from": start} if start.strip() else {})})
    except ValidationError as exc:
        return _invalid(exc, lang)
    try:
        job = replan_from_reports(request, response, plan_id, body, 0, idempotency, who)
    except Rejected as exc:
        return _problems([ProblemOut.of(p) for p in exc.report.problems], lang)
    except HTTPException as exc:
        return _error(exc, lang)
    return _job_page(request, job, who, lang)


def _job_page(request: Request, job: JobOut, who: Caller, lang: str) -> Response:
    store = request.app.state.store
    record = store.scenario_record(job.scenario_id)
    context = {"who": who, "job": job, "scenario_name": record.name if record else job.scenario_id}
    if job.status.value in ACTIVE or job.plan is None:
        return render("job.html", lang, **context)
    plan, scenario = job.plan, store.scenario(record)
    reader = who.role != Role.field
    root = root_scenario(store, store.job(job.id))
    reports = plan_reports(request.app.state.sessions, job.id, None if reader else who.team_id)

    def static() -> bytes:  # KPIs, downloads, coverage, map, left-out: fixed for a finished plan, view and language
        left = views.left_out_rows(plan, scenario, lang) if reader else []
        return render_text(
            "plan_static.html", lang, job=job, plan=plan, reader=reader, left_out=left, reasons=views.reason_options(left),
            coverage=views.coverage_rows(plan, lang) if reader else [],
            map_data=views.map_json(plan, scenario, lang) if reader else "").encode()

    view = "all" if reader else f"team:{who.team_id}"
    static_html = store.body(job.id, f"console:{view}:{lang}", "text/html", static, persist=False).raw.decode()
    return render(
        "plan.html", lang, request=request, **context, plan=plan, reader=reader, root_scenario=root,
        week=views.week_label(plan.horizon_start, plan.horizon_days, lang), static_html=Markup(static_html),
        team_days=views.team_day_rows(str(request.base_url), job, scenario, lang),
        reports=views.report_rows(reports, scenario, lang), report_count=len(reports),
        history=plan_history(store, root) if reader else [],
    )


def _is_id(value: str) -> bool:
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)


__all__ = ["router"]
