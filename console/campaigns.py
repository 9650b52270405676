"""The console's campaign fragments (issue 19): start a campaign to a deadline from a scenario, follow
it while it runs, then its figures, the share per regency at the deadline, the top decisions and the
downloads. A client of the API's own rules: the functions behind POST/GET/DELETE /v1/campaigns."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from api.auth import Caller, coordinators, readers
from api.campaign_schemas import CampaignOut, CampaignRequest
from api.routes.campaigns import cancel_campaign, create_campaign, get_campaign

from console.fragments import Lang, _error, _invalid
from console.render import render

router = APIRouter(prefix="/console/f", include_in_schema=False)
TOP = 10


@router.post("/campaigns")
def start_campaign(request: Request, response: Response, lang: Lang,
                   scenario_id: Annotated[str, Form(max_length=64)],
                   deadline: Annotated[str, Form(max_length=20)],
                   time_limit_s: Annotated[str, Form(max_length=20)] = "10",
                   confirm: Annotated[str, Form(max_length=4)] = "3",
                   idempotency: Annotated[str | None, Form(max_length=64, pattern=r"^[0-9a-f]{8,64}$")] = None,
                   who: Caller = Depends(coordinators)) -> HTMLResponse:
    """Start a campaign as POST /v1/campaigns does (the form's token makes a double submit one job)."""
    try:
        body = CampaignRequest.model_validate({"scenario_id": scenario_id, "deadline": deadline,
                                               "time_limit_s": time_limit_s, "confirm": confirm})
    except ValidationError as exc:
        return _invalid(exc, lang)
    try:
        job = create_campaign(request, response, body, 0, idempotency, who)
    except HTTPException as exc:
        return _error(exc, lang)
    return _page(request, job, who, lang)


@router.get("/campaigns/{campaign_id}")
def campaign_page(request: Request, lang: Lang, campaign_id: str, who: Caller = Depends(readers)) -> HTMLResponse:
    """A campaign: its progress while it runs (the page polls), then what it found."""
    try:
        job = get_campaign(request, campaign_id, who)
    except HTTPException as exc:
        return _error(exc, lang)
    return _page(request, job, who, lang)


@router.post("/campaigns/{campaign_id}/cancel")
def cancel(request: Request, lang: Lang, campaign_id: str, who: Caller = Depends(coordinators)) -> HTMLResponse:
    """Cancel a queued or running campaign (DELETE /v1/campaigns/{id})."""
    try:
        job = cancel_campaign(request, campaign_id, who)
    except HTTPException as exc:
        return _error(exc, lang)
    return _page(request, job, who, lang)


def _page(request: Request, job: CampaignOut, who: Caller, lang: str) -> HTMLResponse:
    record = request.app.state.store.scenario_record(job.scenario_id)
    last: dict[str, object] = {}
    for row in job.projection or []:
        last[row.regency_code] = row  # week order: the last row of a regency stands at the deadline
    decisions = [d.model_copy(update={"keterangan": d.keterangan if lang == "id" else d.description})
                 for d in (job.decisions or [])[:TOP]]
    return render("campaign.html", lang, who=who, job=job, scenario_name=record.name if record else job.scenario_id,
                  regencies=list(last.values()), decisions=decisions, total=len(job.decisions or []))


__all__ = ["router"]
