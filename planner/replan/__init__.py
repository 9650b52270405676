"""Mid-week re-planning and next-week roll: facts from the field, churn, roll."""
