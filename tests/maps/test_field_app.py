"""The field app's files without a browser: the service worker changes when the app's files change."""

from __future__ import annotations

import json
import re

import pytest

from maps import field_app


def test_the_service_worker_changes_when_an_app_file_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    before = field_app.service_worker.__wrapped__()
    assert b"__VERSION__" not in before and b"__FILES__" not in before
    files = json.loads(re.search(rb"var FILES = (\[.*?\]);", before).group(1))
    assert files == [f"{field_app.STATIC}/{name}" for name in field_app.STATIC_FILES]  # all kept for use offline
    real = field_app.static_file
    monkeypatch.setattr(field_app, "static_file", lambda name: real(name) + (b"\n// v2" if name == "app.js" else b""))
    after = field_app.service_worker.__wrapped__()
    assert after != before  # the browser sees a new worker, which fetches the files again (cache: 'reload')
    assert after.replace(re.search(rb"var VERSION = '(\w+)'", after).group(1), b"") == \
        before.replace(re.search(rb"var VERSION = '(\w+)'", before).group(1), b"")
