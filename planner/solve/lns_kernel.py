"""The compiled core of the ruin-and-recreate search (`planner.solve.lns`): routes of one part as
arrays, timed exactly as `planner.solve.insertion.day_times` times them, changed by removing strings
of visits near a random one and inserting the dropped and unrouted visits again, each accepted by
simulated annealing on the objective (value recorded − travel cost, the routing model's own).

Compiled with numba (cached on disk after the first run): thousands of ruin-and-recreate steps per
second, where OR-Tools' restarts from Python managed two a second. Timing rules kept here are the
model's: breaks and the Friday prayer (driving pauses, no visit overlaps one unless it may go on
across), start windows (first that fits), the shift, the drive limit, allowed team-days, one visit
of a site per team-day and a site's visits in number order across days.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

# static arrays of a part (planner.solve.lns.part_data builds them); first_min: a continued day's
# first leg lasts at least this long (`problem.ready_wait`: no new visit before the re-plan's time)
Data = namedtuple(
    "Data",
    "travel cost vprof vstart vend wstart first_min wend maxdrive brk nbrk svc across wlo whi wn allowed value "
    "sib_ptr sib_idx sno vday one_a_day same_day_ok near",
)
# a solution: visit nodes per vehicle, their start and end times, drive minutes, each node's vehicle
# (-1: not routed) and the objective (value − arc costs, objective units; larger is better)
# slack: how late a stop's start may slip with every later stop still in time (exact where `exact`,
# a vehicle without breaks and single windows from there on; else only sufficient)
State = namedtuple("State", "route rlen start dep drive where total slack exact")


@njit(cache=True, inline="always")
def _advance(t: int, minutes: int, brk: np.ndarray, nb: int) -> int:
    """Clock after driving `minutes` from t, pausing through breaks (`insertion.advance_one`)."""
    left = minutes
    for k in range(nb):
        b0, b1 = brk[k, 0], brk[k, 1]
        if b1 > t and t + left > b0:
            if t < b0:
                left -= b0 - t
            if t < b1:
                t = b1
    return t + left


@njit(cache=True, inline="always")
def _clear(begin: int, s: int, brk: np.ndarray, nb: int, across: bool) -> int:
    """Earliest start ≥ begin clear of breaks (`insertion.clear_one`)."""
    for k in range(nb):
        b0, b1 = brk[k, 0], brk[k, 1]
        if begin < b1 and ((begin >= b0) if across else (begin + s > b0)):
            begin = b1
    return begin


@njit(cache=True, inline="always")
def _visit_end(begin: int, s: int, brk: np.ndarray, nb: int, across: bool) -> int:
    """End of a visit begun at `begin` (`insertion.end_one`)."""
    end = begin + s
    if across:
        for k in range(nb):
            if begin < brk[k, 0] < end:
                end += brk[k, 1] - brk[k, 0]
    return end


@njit(cache=True, inline="always")
def _start_at(wn, wlo, whi, node: int, s: int, acr: bool, bk, nb: int, wend: int, arrive: int) -> int:
    """Earliest start of `node` (service s) arriving at `arrive`, or -1 when no window takes it."""
    if wn[node] == 0:
        st = _clear(arrive, s, bk, nb, acr)
        return st if st <= wend else -1
    for w in range(wn[node]):
        st = _clear(max(arrive, wlo[node, w]), s, bk, nb, acr)
        if st <= whi[node, w]:
            return st
    return -1


# Numba counts references on every read of an array held in a tuple: the loops below read the
# arrays once into locals (a read inside a loop cost 100× the work, measured on pr06).


@njit(cache=True)
def retime(D, S, v: int, i0: int) -> bool:
    """Start and end times of vehicle v's stops from position i0 on; False when the route breaks a
    window, the shift or the drive limit."""
    tr, svc, across, wn, wlo, whi = D.travel[D.vprof[v]], D.svc[v], D.across, D.wn, D.wlo, D.whi
    bk, nb, wend, L = D.brk[v], D.nbrk[v], D.wend[v], S.rlen[v]
    route, start, dep = S.route[v], S.start[v], S.dep[v]
    here, t = (D.vstart[v], D.wstart[v]) if i0 == 0 else (route[i0 - 1], dep[i0 - 1])
    first = D.first_min[v]
    for j in range(i0, L):
        node = route[j]
        leg = max(tr[here, node], first) if j == 0 else tr[here, node]
        st = _start_at(wn, wlo, whi, node, svc[node], across[node], bk, nb, wend, _advance(t, leg, bk, nb))
        if st < 0:
            return False
        start[j] = st
        t = _visit_end(st, svc[node], bk, nb, across[node])
        dep[j] = t
        here = node
    end = D.vend[v]
    drive = tr[here, end]
    prev = D.vstart[v]
    for j in range(L):
        drive += tr[prev, route[j]]
        prev = route[j]
    S.drive[v] = drive
    back = _advance(t, tr[here, end], bk, nb)
    if nb == 0:
        _slacks(tr, wn, wlo, whi, route, L, start, dep, S.slack[v], S.exact[v], D.vstart[v], D.wstart[v], first,
                wend - back)
    return back <= wend and drive <= D.maxdrive[v]


@njit(cache=True)
def _slacks(tr, wn, wlo, whi, route, L: int, start, dep, slack, exact, vstart: int, wstart: int, first: int,
            at_end: int) -> None:
    """How late each stop of a route without breaks may start with every later stop in time."""
    after, single = at_end, True
    for j in range(L - 1, -1, -1):
        node = route[j]
        hi = start[j] + after
        for w in range(wn[node]):
            if wlo[node, w] <= start[j] <= whi[node, w]:
                hi = whi[node, w]
                break
        single = single and wn[node] <= 1
        own = min(hi - start[j], after)
        slack[j] = own
        exact[j] = single
        arrive = dep[j - 1] + tr[route[j - 1], node] if j > 0 else wstart + max(tr[vstart, node], first)
        after = own + (start[j] - arrive)


@njit(cache=True, inline="always")
def _minutes(tr, svc, across, wn, wlo, whi, bk, nb: int, wstart: int, first: int, wend: int, spare_drive: int,
             route, L: int, start, dep, slack, exact, vstart: int, vend: int, c: int, i: int) -> int:
    """`insertion_minutes` on one vehicle's arrays (read once by the caller)."""
    prev = route[i - 1] if i > 0 else vstart
    nxt = route[i] if i < L else vend
    detour = tr[prev, c] + tr[c, nxt] - tr[prev, nxt]
    if detour > spare_drive:
        return -1
    t0 = dep[i - 1] if i > 0 else wstart
    arrive = _advance(t0, max(tr[prev, c], first) if i == 0 else tr[prev, c], bk, nb)
    st = _start_at(wn, wlo, whi, c, svc[c], across[c], bk, nb, wend, arrive)
    if st < 0:
        return -1
    added = detour + svc[c] + (st - arrive)
    t, here = _visit_end(st, svc[c], bk, nb, across[c]), c
    if nb == 0 and i < L:  # no breaks: the delay at the next stop against its slack
        nxt_start = _start_at(wn, wlo, whi, nxt, svc[nxt], across[nxt], bk, nb, wend, t + tr[c, nxt])
        if nxt_start < 0:
            return -1
        if nxt_start - start[i] <= slack[i]:
            return added
        if exact[i]:
            return -1
    for j in range(i, L):
        node = route[j]
        sj = _start_at(wn, wlo, whi, node, svc[node], across[node], bk, nb, wend, _advance(t, tr[here, node], bk, nb))
        if sj < 0:
            return -1
        if sj == start[j]:
            return added  # the rest of the route is timed as before
        t, here = _visit_end(sj, svc[node], bk, nb, across[node]), node
    if _advance(t, tr[here, vend], bk, nb) > wend:
        return -1
    return added


@njit(cache=True)
def insertion_minutes(D, S, v: int, c: int, i: int) -> int:
    """Minutes inserting c before position i of vehicle v adds (detour + service + waiting), or -1
    when the route would break a rule (the rest of the route is timed until it is unchanged)."""
    return _minutes(D.travel[D.vprof[v]], D.svc[v], D.across, D.wn, D.wlo, D.whi, D.brk[v], D.nbrk[v],
                    D.wstart[v], D.first_min[v], D.wend[v], D.maxdrive[v] - S.drive[v], S.route[v], S.rlen[v], S.start[v],
                    S.dep[v], S.slack[v], S.exact[v], D.vstart[v], D.vend[v], c, i)


@njit(cache=True, inline="always")
def _site_range(allowed, sib_ptr, sib_idx, where, vday, sno, one_a_day: bool, same_day_ok: bool, route, L: int,
                v: int, c: int) -> tuple[int, int]:
    """Positions [lo, hi] of vehicle v's route where visit c may go as far as its site's other routed
    visits allow (lo > hi: none). One visit a team-day when the rule holds; a site's visits in number
    order: across days, and on one day in any order (`same_day_ok`) or else only on one route, in
    route order (`insertion._SiteOrder`, `routing.visit_order_offset`)."""
    if not allowed[v, c]:
        return 1, 0
    lo, hi, day = 0, L, vday[v]
    for k in range(sib_ptr[c], sib_ptr[c + 1]):
        o = sib_idx[k]
        w = where[o]
        if w < 0:
            continue
        if one_a_day and w == v:
            return 1, 0
        dw = vday[w]
        earlier = sno[o] < sno[c] or (sno[o] == sno[c] and o < c)  # the model's order (routing._add_visit_order)
        if (earlier and dw > day) or (not earlier and dw < day):
            return 1, 0
        if dw == day and not same_day_ok:
            if w != v:
                return 1, 0
            for j in range(L):
                if route[j] == o:
                    if earlier:
                        lo = max(lo, j + 1)
                    else:
                        hi = min(hi, j)
    return lo, hi


@njit(cache=True)
def site_range(D, S, v: int, c: int) -> tuple[int, int]:
    """`_site_range` of vehicle v for visit c (first and last position it may take)."""
    return _site_range(D.allowed, D.sib_ptr, D.sib_idx, S.where, D.vday, D.sno, D.one_a_day, D.same_day_ok,
                       S.route[v], S.rlen[v], v, c)


@njit(cache=True)
def _arc_delta(D, v: int, prev: int, c: int, nxt: int) -> int:
    cost = D.cost[D.vprof[v]]
    return cost[prev, c] + cost[c, nxt] - cost[prev, nxt]


@njit(cache=True)
def _neighbours(D, S, v: int, i: int) -> tuple[int, int]:
    """The stops before and after position i of vehicle v (its start and end places at the ends)."""
    prev = S.route[v, i - 1] if i > 0 else D.vstart[v]
    nxt = S.route[v, i] if i < S.rlen[v] else D.vend[v]
    return prev, nxt


@njit(cache=True)
def insert(D, S, v: int, c: int, i: int) -> None:
    """Put c before position i of vehicle v (the caller checked it fits)."""
    prev, nxt = _neighbours(D, S, v, i)
    S.total[0] += D.value[c] - _arc_delta(D, v, prev, c, nxt)
    route, L = S.route[v], S.rlen[v]
    for j in range(L, i, -1):
        route[j] = route[j - 1]
    route[i] = c
    S.rlen[v] = L + 1
    S.where[c] = v
    retime(D, S, v, i)


@njit(cache=True)
def remove(D, S, v: int, i: int) -> bool:
    """Take out the visit at position i of vehicle v; False (and nothing changed) when the shorter
    route would break a rule (travel times need not obey the triangle inequality)."""
    route, L = S.route[v], S.rlen[v]
    c = route[i]
    for j in range(i, L - 1):
        route[j] = route[j + 1]
    S.rlen[v] = L - 1
    if not retime(D, S, v, i):
        for j in range(L - 1, i, -1):
            route[j] = route[j - 1]
        route[i] = c
        S.rlen[v] = L
        retime(D, S, v, i)
        return False
    prev, nxt = _neighbours(D, S, v, i)
    S.total[0] -= D.value[c] - _arc_delta(D, v, prev, c, nxt)
    S.where[c] = -1
    return True


@njit(cache=True)
def best_position(D, S, c: int, blink: float, open_: np.ndarray) -> tuple[int, int, int]:
    """(vehicle, position, minutes added) of the cheapest insertion of c into the vehicles `open_`,
    positions skipped with probability `blink` (SISR's blinks); vehicle -1 when none fits."""
    allowed, sib_ptr, sib_idx, where, vday, sno = D.allowed, D.sib_ptr, D.sib_idx, S.where, D.vday, D.sno
    one_a_day, same_day_ok = D.one_a_day, D.same_day_ok
    travel, svc_all, across, wn, wlo, whi, brk, nbrk = D.travel, D.svc, D.across, D.wn, D.wlo, D.whi, D.brk, D.nbrk
    vprof, wstart, first, wend, maxdrive, vstart, vend = D.vprof, D.wstart, D.first_min, D.wend, D.maxdrive, D.vstart, D.vend
    routes, rlen, starts, deps, slacks, exacts, drives = S.route, S.rlen, S.start, S.dep, S.slack, S.exact, S.drive
    best_v, best_i, best_m = -1, -1, 1 << 60
    for v in range(vprof.shape[0]):
        if not open_[v]:
            continue
        tr, svc, bk, route, start, dep, slack, exact = travel[vprof[v]], svc_all[v], brk[v], routes[v], starts[v], deps[v], slacks[v], exacts[v]
        L, nb, spare = rlen[v], nbrk[v], maxdrive[v] - drives[v]
        lo, hi = _site_range(allowed, sib_ptr, sib_idx, where, vday, sno, one_a_day, same_day_ok, route, L, v, c)
        for i in range(lo, hi + 1):
            if blink > 0 and np.random.random() < blink:
                continue
            m = _minutes(tr, svc, across, wn, wlo, whi, bk, nb, wstart[v], first[v], wend[v], spare,
                         route, L, start, dep, slack, exact, vstart[v], vend[v], c, i)
            if 0 <= m < best_m:
                best_v, best_i, best_m = v, i, m
    return best_v, best_i, best_m


@njit(cache=True)
def _ruin(D, S, removed: np.ndarray, avg: float, max_string: int, done: np.ndarray) -> int:
    """Remove strings of visits around a random routed visit from the routes nearest it (SISR-like);
    the removed visits go to `removed`, the routes cut are marked in `done`; their number is returned."""
    routed = np.flatnonzero(S.where >= 0)
    if routed.size == 0:
        return 0
    seed = routed[np.random.randint(routed.size)]
    target = 1 + np.random.randint(max(1, int(2 * avg)))
    k = 0
    for step in range(-1, D.near.shape[1]):
        if k >= target:
            break
        node = seed if step < 0 else D.near[seed, step]
        v = S.where[node]
        if v < 0 or done[v]:
            continue
        done[v] = True
        L = S.rlen[v]
        length = 1 + np.random.randint(min(max_string, L, target - k))
        pos = 0
        for j in range(L):
            if S.route[v, j] == node:
                pos = j
        first = max(0, min(pos - np.random.randint(length), L - length))
        for _ in range(length):
            c = S.route[v, first]
            if remove(D, S, v, first):
                removed[k] = c
                k += 1
            else:
                first += 1
            if first >= S.rlen[v]:
                break
    return k


@njit(cache=True)
def _recreate(D, S, cand: np.ndarray, blink: float, power: float, open_: np.ndarray) -> None:
    """Insert unrouted visits one by one (by value, noisy; by value per minute; or at random), each
    at its cheapest position in the vehicles `open_` (the others took every visit that fit)."""
    n, where, value = 0, S.where, D.value
    for c in range(value.shape[0]):
        if where[c] < 0 and value[c] > 0:
            cand[n] = c
            n += 1
    if n == 0:
        return
    key = np.empty(n)
    mode = np.random.randint(3)
    for j in range(n):
        c = cand[j]
        if mode == 0:  # value, noisy
            key[j] = -value[c] * (0.75 + 0.5 * np.random.random())
        elif mode == 1:  # value per minute of the cheapest insertion now
            m = best_position(D, S, c, 0.0, open_)[2]
            key[j] = 1e30 if m >= 1 << 60 else -(value[c] ** power) / (m + 1.0)
        else:  # random
            key[j] = np.random.random()
    order = np.argsort(key)
    for j in range(n):
        c = cand[order[j]]
        if mode == 1 and key[order[j]] >= 1e30:
            continue
        v, i, _ = best_position(D, S, c, blink, open_)
        if v >= 0:
            insert(D, S, v, c, i)


@njit(cache=True)
def fill(D, S, cand: np.ndarray, power: float) -> None:
    """Insert every unrouted visit that fits anywhere (so that later steps need only look at the
    routes they cut)."""
    _recreate(D, S, cand, 0.0, power, np.ones(D.vprof.shape[0], dtype=np.bool_))


@njit(cache=True)
def copy_state(src, dst) -> None:
    dst.route[:] = src.route
    dst.rlen[:] = src.rlen
    dst.start[:] = src.start
    dst.dep[:] = src.dep
    dst.drive[:] = src.drive
    dst.where[:] = src.where
    dst.total[:] = src.total
    dst.slack[:] = src.slack
    dst.exact[:] = src.exact


@njit(cache=True)
def seed_random(seed: int) -> None:
    np.random.seed(seed)


@njit(cache=True)
def iterate(D, cur, trial, best, removed: np.ndarray, cand: np.ndarray, n_iter: int, temp: float,
            avg: float, max_string: int, blink: float, power: float) -> int:
    """`n_iter` ruin-and-recreate steps from `cur` (simulated annealing at `temp`), the best kept in
    `best`; returns how many steps improved the best."""
    gains = 0
    open_ = np.zeros(D.vprof.shape[0], dtype=np.bool_)
    for _ in range(n_iter):
        copy_state(cur, trial)
        open_[:] = False
        _ruin(D, trial, removed, avg, max_string, open_)
        _recreate(D, trial, cand, blink, power, open_)
        delta = trial.total[0] - cur.total[0]
        if delta >= 0 or (temp > 0 and np.random.random() < np.exp(delta / temp)):
            copy_state(trial, cur)
            if cur.total[0] > best.total[0]:
                copy_state(cur, best)
                gains += 1
    return gains
