"""The OR-Tools solve of a week: parts, trips, routing, insertion, search, schedule, assembly."""
