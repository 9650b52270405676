"""The coordinator's console in the browser (`jemput serve` at `/`): server-rendered Jinja2 pages and
fragments over the API's own rules, vendored htmx, a strict Content-Security-Policy; Bahasa Indonesia
by default, English available."""
