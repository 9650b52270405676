"""Validation and the numbers that judge a plan: validator, bound, left-out reasons, KPIs."""
