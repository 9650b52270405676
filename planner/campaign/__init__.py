"""Campaigns to a deadline: the weeks ahead rolled with real plans, and what-if decisions ranked by gain."""

from planner.campaign.assumptions import CampaignOptions
from planner.campaign.run import Campaign, Decision, ProjectionRow, plan_campaign
from planner.campaign.weeks import CampaignError, CampaignRun, run_weeks

__all__ = ["Campaign", "CampaignError", "CampaignOptions", "CampaignRun", "Decision", "ProjectionRow", "plan_campaign", "run_weeks"]
