"""A short cache of API key lookups: a read costs no database query per request, and a key revoked in
the database (by any process) stops working within `ttl_s` seconds, when its entry runs out."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

MISSING = object()  # not in the cache (None is a cached answer: no such key, or revoked)


class KeyCache:
    """key hash → the caller (or None for unknown/revoked), each kept for `ttl_s` seconds; 0 turns it off."""

    def __init__(self, ttl_s: float, size: int = 10_000) -> None:
        self.ttl_s, self.size = ttl_s, size
        self._items: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key_hash: str):
        """The cached answer, or MISSING when there is none or it is older than ttl_s."""
        with self._lock:
            hit = self._items.get(key_hash)
            if hit is None:
                return MISSING
            if hit[0] <= time.monotonic():
                del self._items[key_hash]
                return MISSING
            return hit[1]

    def put(self, key_hash: str, value) -> None:
        if self.ttl_s <= 0:
            return
        with self._lock:
            self._items[key_hash] = (time.monotonic() + self.ttl_s, value)
            self._items.move_to_end(key_hash)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
