"""Maps of a plan: the coordinator's overview (`maps.overview`) and a field team's day (`maps.field`).

Depends on `planner`; `planner` must never import `maps`. Texts are in `maps.i18n` (id, en).
"""
