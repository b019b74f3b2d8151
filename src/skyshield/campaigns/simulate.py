"""The campaign loop: every night runs the engine with the stocks the previous night left.

Each tracked system (those with a national stock in the campaign file) has one national stock
of rounds. On night ``n``:

1. deliveries due that night arrive: a month's delivery on the first night of each month on or
   after the delivery's start (a campaign starting mid-month waits for the 1st), drawn from a
   gamma distribution with the file's mean and ``sd`` by inverse transform (never below 0, mean
   as stated, larger means give larger draws from the same uniform), rounded;
2. the night's launches per class come from the raid source (replayed or generated) and fly
   that many of the raid pool's threats of each class, drawn at random (:mod:`.pool`);
3. each unit in action that night draws its load from its system's national stock: a full load
   each while the stock allows, else the stock split evenly (lowest unit index first for the
   remainder); untracked systems start every night fully loaded;
4. doctrine: while a system's stock (after deliveries) is below its hold threshold, its units
   fire only at the classes its rule names (the rest of their rounds are held back);
5. the engine's event loop runs the night; rounds fired leave the stock, the rest return:
   ``stock[n + 1] = stock[n] + delivered[n] - fired[n]``.

A system is *out of stock* on a night it starts with no round (after that night's deliveries).

Randomness comes in fixed blocks of :data:`BLOCK` replications, each with its own stream from
``SeedSequence([seed, block])`` drawn in a fixed order, so results do not depend on the number
of workers; and draws never depend on stocks, so two delivery schedules run with one seed face
the same raids, launch times, routes and kill draws (common random numbers).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from skyshield.campaigns.pool import HOME, RaidPool
from skyshield.campaigns.raids import RaidGenerator
from skyshield.catalog import ThreatClass
from skyshield.catalog.types import REPORT_CLASSES, THREATS_OF_REPORT_CLASS
from skyshield.engine.draws import ReplicationDraws, launch_times_s
from skyshield.engine.fast import kernel_inputs, reserve_floor
from skyshield.engine.kernel import KernelOutputs, simulate_block
from skyshield.engine.outcomes import Fate
from skyshield.engine.pieces import positions_at
from skyshield.geo import territory_codes
from skyshield.posture.fighters import FIGHTER_PATROL_PREFIX, STRATEGIC_CRUISE, fighter_pairs

__all__ = ["BLOCK", "ROUNDS_PER_THREAT", "CampaignResult", "Plan", "simulate_campaign"]

BLOCK = 50
# Kill draws per threat per night: at most this many rounds are fired at one threat in one
# night (two shoot-shoot engagements); a campaign draws millions of nights.
ROUNDS_PER_THREAT = 4
_HELD = np.iinfo(np.int64).max // 4  # a reserve floor no stock reaches: the class is held back

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Plan:
    """A campaign compiled to arrays: nights, raid source, stocks, deliveries and doctrine."""

    start: date
    nights: int
    systems: tuple[str, ...]  # tracked systems
    initial_stock: np.ndarray  # (S,) int64
    per_month: np.ndarray  # (S,) float64 mean rounds delivered a month
    sd: np.ndarray  # (S,) float64
    delivery_start: tuple[date, ...]  # (S,) first month of deliveries
    hold_below: np.ndarray  # (S,) int64; -1 = no hold rule
    hold_fire_at: np.ndarray  # (S, 3) bool: report classes still engaged while holding
    replay: np.ndarray | None  # (nights, 3) int64 launches, or None with a generator
    generator: RaidGenerator | None

    def delivery_nights(self) -> np.ndarray:
        """(nights, S) bool: a month's delivery of each system arrives at the start of the night.

        On the first night of every month on or after the delivery's start.
        """
        days = np.array([self.start + timedelta(days=n) for n in range(self.nights)])
        first_of_month = np.array([d.day == 1 for d in days], dtype=bool)
        out = np.zeros((self.nights, len(self.systems)), dtype=bool)
        for s, begin in enumerate(self.delivery_start):
            out[:, s] = first_of_month & (days >= begin) & (self.per_month[s] > 0)
        return out

    def delivered(self, u: np.ndarray) -> np.ndarray:
        """(size, S) rounds of a month's delivery per system from (size, S) uniforms."""
        mean = np.broadcast_to(self.per_month, u.shape)
        sd = np.broadcast_to(self.sd, u.shape)
        random = (sd > 0) & (mean > 0)
        shape = np.where(random, (mean / np.where(random, sd, 1.0)) ** 2, 1.0)
        scale = np.where(random, mean / shape, 1.0)
        from scipy import stats  # here: a plain run imports campaigns but not scipy.stats

        draws = np.where(random, stats.gamma.ppf(u, shape, scale=scale), mean)
        return np.asarray(np.rint(draws), dtype=np.int64)

    def with_deliveries(self, system: str, per_month: float) -> Plan:
        """Return the same plan with another monthly delivery of one system.

        Its standard deviation keeps its ratio to the mean (a file's 12 +- 8 doubled is 24 +- 16).
        """
        s = self.systems.index(system)
        rates, sd = self.per_month.copy(), self.sd.copy()
        if rates[s] > 0:
            sd[s] *= per_month / rates[s]
        rates[s] = per_month
        return dataclasses.replace(self, per_month=rates, sd=sd)


@dataclass(frozen=True, slots=True)
class CampaignResult:
    """Per replication and night: stocks, deliveries, rounds fired, what got through."""

    plan: Plan
    pool_systems: tuple[str, ...]  # every system of the pool (fired covers all of them)
    stock: np.ndarray  # (R, nights + 1, S) int64 at the start of each night, before deliveries
    delivered: np.ndarray  # (R, nights, S) int64
    fired_tracked: np.ndarray  # (R, nights, S) int64
    fired: np.ndarray  # (R, nights, P) int64 rounds of every pool system
    held: np.ndarray  # (R, nights, S) bool: the hold rule applied
    launched: np.ndarray  # (R, nights, 3) int64 per report class (after the pool's cap)
    destroyed: np.ndarray  # (R, nights, 3) int64
    lost: np.ndarray  # (R, nights, 3) int64: lost to EW, decoys that fell unengaged
    hits: np.ndarray  # (R, nights, 3) int64: impacts of warheads
    cost_usd: np.ndarray  # (R, nights) float64 of rounds fired
    allied_rounds: np.ndarray  # (R, nights) int64 rounds fired by allied units
    allied_rounds_outside: np.ndarray  # (R, nights) int64 of them intercepting outside own land
    truncated: np.ndarray  # (R, nights) int64 launches beyond the pool's capacity

    @property
    def replications(self) -> int:
        """Number of replications."""
        return int(self.stock.shape[0])

    @property
    def available(self) -> np.ndarray:
        """(R, nights, S) rounds at the start of each night after its deliveries."""
        return np.asarray(self.stock[:, :-1] + self.delivered)

    def stockout_night(self) -> np.ndarray:
        """(R, S) 1-based first night each system starts with no round; 0 = never."""
        out = self.available <= 0
        first = np.argmax(out, axis=1) + 1
        return np.asarray(np.where(out.any(axis=1), first, 0), dtype=np.int64)


def simulate_campaign(
    pool: RaidPool,
    plan: Plan,
    *,
    replications: int,
    seed: int,
    workers: int = 1,
    progress: ProgressCallback | None = None,
) -> CampaignResult:
    """Run the campaign ``replications`` times; see the module docstring for the rules."""
    _check(pool, plan)
    blocks = [np.arange(a, min(a + BLOCK, replications)) for a in range(0, replications, BLOCK)]
    lock = threading.Lock()
    done = [0]
    total = len(blocks) * plan.nights

    def tick() -> None:
        if progress is None:
            return
        with lock:
            done[0] += 1
            progress(done[0], total)

    loop = _NightLoop(pool, plan)
    with ThreadPoolExecutor(max_workers=max(workers, 1)) as executor:
        parts = list(
            executor.map(lambda b: loop.run_block(b[0], b[1].size, seed, tick), enumerate(blocks))
        )
    return CampaignResult(
        plan=plan,
        pool_systems=loop.pool_systems,
        **{key: np.concatenate([p[key] for p in parts]) for key in parts[0]},
    )


def _check(pool: RaidPool, plan: Plan) -> None:
    present = set(pool.systems)
    missing = [s for s in plan.systems if s not in present]
    if missing:
        msg = f"systems with a stock but no unit in the posture: {', '.join(missing)}"
        raise ValueError(msg)
    if plan.replay is not None and plan.replay.shape != (plan.nights, 3):
        msg = f"a replay of {plan.nights} nights x 3 classes, got {plan.replay.shape}"
        raise ValueError(msg)


class _NightLoop:
    """What every block shares: the pool's arrays and the plan's per-system unit lists."""

    def __init__(self, pool: RaidPool, plan: Plan) -> None:
        self.pool = pool
        self.plan = plan
        c = pool.compiled
        self.pool_systems = tuple(sorted(set(pool.systems)))
        self.unit_pool_system = np.array([self.pool_systems.index(s) for s in pool.systems])
        # the units of each tracked system, and its column among the pool's systems
        self.system_units = [
            np.flatnonzero(np.array(pool.systems) == system) for system in plan.systems
        ]
        self.tracked_columns = [self.pool_systems.index(system) for system in plan.systems]
        self.class_members = [np.flatnonzero(pool.report_class == k) for k in range(3)]
        g = pool.geometry
        n = c.n_threats
        self.idle = g.n_realizations  # the route set in which idle threats fly nowhere
        self.flight_s = np.vstack([g.flight_s, np.zeros((1, n))])
        self.window_start = np.vstack([g.threat_window_start, np.zeros((1, n), dtype=np.int64)])
        self.window_end = np.vstack([g.threat_window_end, np.zeros((1, n), dtype=np.int64)])
        self.base_floor = reserve_floor(c)
        # engine classes each tracked system still engages while its hold rule applies
        self.hold_classes = np.zeros((len(plan.systems), c.unit_reserves.shape[1]), dtype=bool)
        for s in range(len(plan.systems)):
            for k, name in enumerate(REPORT_CLASSES):
                if plan.hold_fire_at[s, k]:
                    for cls in THREATS_OF_REPORT_CLASS[name]:
                        self.hold_classes[s, cls.position] = True
        self.decoy = c.threat_class == ThreatClass.DECOY.position
        self.delivery_nights = plan.delivery_nights()
        home = c.nation_codes.index(HOME) if HOME in c.nation_codes else -1
        self.unit_allied = np.asarray(c.unit_nation != home)
        self.unit_territory = np.asarray(c.nation_territory[c.unit_nation])
        # the night model's fighter patrols fly as the night's strategic salvo calls for them
        # (posture.fighters): the pool's are tasked for its capacity, each night flies its share
        self.aircraft = np.array([u.startswith(FIGHTER_PATROL_PREFIX) for u in c.unit_ids])
        strategic = [
            c.threat_type_keys.index(k) for k in STRATEGIC_CRUISE if k in c.threat_type_keys
        ]
        self.strategic = np.isin(c.threat_type, strategic)
        self.pool_pairs = fighter_pairs(int(self.strategic.sum()))

    def run_block(
        self, block: int, size: int, seed: int, tick: Callable[[], None]
    ) -> dict[str, np.ndarray]:
        plan, pool, c = self.plan, self.pool, self.pool.compiled
        rng = np.random.default_rng(np.random.SeedSequence([seed, block]))
        n_nights, n_sys = plan.nights, len(plan.systems)
        if plan.generator is not None:
            wanted = plan.generator.sample(rng, plan.start, n_nights, size)
        else:
            assert plan.replay is not None
            wanted = np.broadcast_to(plan.replay, (size, n_nights, 3))
        capacity = pool.capacity
        counts = np.minimum(wanted, capacity)
        out = {
            "stock": np.zeros((size, n_nights + 1, n_sys), dtype=np.int64),
            "delivered": np.zeros((size, n_nights, n_sys), dtype=np.int64),
            "fired_tracked": np.zeros((size, n_nights, n_sys), dtype=np.int64),
            "fired": np.zeros((size, n_nights, len(self.pool_systems)), dtype=np.int64),
            "held": np.zeros((size, n_nights, n_sys), dtype=bool),
            "launched": np.asarray(counts, dtype=np.int64).copy(),
            "destroyed": np.zeros((size, n_nights, 3), dtype=np.int64),
            "lost": np.zeros((size, n_nights, 3), dtype=np.int64),
            "hits": np.zeros((size, n_nights, 3), dtype=np.int64),
            "cost_usd": np.zeros((size, n_nights)),
            "allied_rounds": np.zeros((size, n_nights), dtype=np.int64),
            "allied_rounds_outside": np.zeros((size, n_nights), dtype=np.int64),
            "truncated": np.asarray((wanted - counts).sum(axis=2), dtype=np.int64),
        }
        stock = np.broadcast_to(plan.initial_stock, (size, n_sys)).astype(np.int64)
        for night in range(n_nights):
            out["stock"][:, night] = stock
            u = rng.random((size, n_sys))  # drawn every night: streams stay aligned
            due = self.delivery_nights[night]
            delivered = np.where(due, plan.delivered(u), 0).astype(np.int64)
            available = stock + delivered
            active = self._active_threats(rng, counts[:, night])
            in_action = self._in_action(rng, size, active[:, self.strategic].sum(axis=1))
            unit_stock = self._allocate(available, in_action)
            held = (plan.hold_below >= 0) & (available < plan.hold_below)
            draws = self._draws(rng, size, block, active)
            inputs = kernel_inputs(
                c, pool.geometry, draws, unit_stock, unit_reserve_floor=self._floor(held)
            )
            realization = np.where(active, draws.realization, self.idle)
            result = simulate_block(
                inputs._replace(
                    realization=realization,
                    flight_s=self.flight_s,
                    threat_window_start=self.window_start,
                    threat_window_end=self.window_end,
                )
            )
            fired_units = unit_stock - result.final_stock
            all_fired = np.zeros((size, len(self.pool_systems)), dtype=np.int64)
            np.add.at(all_fired.T, self.unit_pool_system, fired_units.T)
            fired = all_fired[:, self.tracked_columns]
            self._count(out, night, result.fate, active)
            self._allied(out, night, result, draws.realization[:, 0])
            out["delivered"][:, night] = delivered
            out["fired_tracked"][:, night] = fired
            out["fired"][:, night] = all_fired
            out["held"][:, night] = held
            out["cost_usd"][:, night] = fired_units @ c.unit_cost_usd
            stock = available - fired
            tick()
        out["stock"][:, n_nights] = stock
        return out

    def _active_threats(self, rng: np.random.Generator, counts: np.ndarray) -> np.ndarray:
        """(size, n_threats) bool: ``counts[:, k]`` pool threats of each class, at random."""
        size = counts.shape[0]
        active = np.zeros((size, self.pool.compiled.n_threats), dtype=bool)
        for k, members in enumerate(self.class_members):
            keys = rng.random((size, members.size))
            rank = np.argsort(np.argsort(keys, axis=1), axis=1)
            active[:, members] = rank < counts[:, k : k + 1]
        return active

    def _in_action(
        self, rng: np.random.Generator, size: int, strategic: np.ndarray | None = None
    ) -> np.ndarray:
        """(size, n_units) bool: the units in action tonight.

        An aircraft flies with all its weapons or none: its rows share one draw, that of its
        platform's first column. ``strategic`` (size,): the strategic cruise missiles flying
        tonight; the pool's fighters fly in proportion to the pairs they call for
        (:func:`~skyshield.posture.fighters.fighter_pairs`), none on a night without them.
        """
        c = self.pool.compiled
        chance = np.broadcast_to(self.pool.unit_in_action, (size, c.n_units))
        if strategic is not None and self.pool_pairs > 0:
            share = np.array([fighter_pairs(int(n)) for n in strategic]) / self.pool_pairs
            chance = np.where(self.aircraft, chance * share[:, None], chance)
        return rng.random((size, c.n_units))[:, c.unit_platform] < chance

    def _allocate(self, available: np.ndarray, in_action: np.ndarray) -> np.ndarray:
        """(size, n_units) rounds each unit takes into the night (module docstring, step 3)."""
        load = self.pool.unit_load
        stock = np.where(in_action, load, 0).astype(np.int64)
        for s, units in enumerate(self.system_units):
            on = in_action[:, units]
            n_on = on.sum(axis=1)
            base = available[:, s] // np.maximum(n_on, 1)
            extra = available[:, s] - base * n_on
            order = np.cumsum(on, axis=1)  # 1-based position among the units in action
            share = base[:, None] + (order <= extra[:, None])
            stock[:, units] = np.where(on, np.minimum(load[units], share), 0)
        return stock

    def _floor(self, held: np.ndarray) -> np.ndarray:
        """(size, n_units, n_classes) reserve floor: held systems keep rounds from other classes."""
        size = held.shape[0]
        floor = np.broadcast_to(self.base_floor, (size, *self.base_floor.shape)).copy()
        for s, units in enumerate(self.system_units):
            rows = np.flatnonzero(held[:, s])
            if rows.size and units.size:
                blocked = ~self.hold_classes[s]
                floor[np.ix_(rows, units, np.flatnonzero(blocked))] = _HELD
        return floor

    def _draws(
        self, rng: np.random.Generator, size: int, block: int, active: np.ndarray
    ) -> ReplicationDraws:
        c = self.pool.compiled
        n = c.n_threats
        launch_s = launch_times_s(
            c.threat_launch_s, c.threat_launch_jitter_s, rng.random((size, n))
        )
        route_set = rng.integers(0, self.pool.geometry.n_realizations, size=size)
        return ReplicationDraws(
            replications=np.arange(block * BLOCK, block * BLOCK + size),
            launch_step=np.rint(launch_s / c.time_step_s).astype(np.int64),
            realization=np.repeat(route_set[:, None], n, axis=1),
            ew_budget=rng.standard_exponential((size, n)),
            kill_u=rng.random((size, n, ROUNDS_PER_THREAT)),
            discrimination_u=rng.random((size, n)),
            fall_budget=rng.standard_exponential((size, n)),  # drawn last: earlier draws unchanged
        )

    def _allied(
        self,
        out: dict[str, np.ndarray],
        night: int,
        result: KernelOutputs,
        route_set: np.ndarray,
    ) -> None:
        """Count rounds allied units fired, and those intercepting outside their own land."""
        mine = self.unit_allied[result.shot_unit]
        if not mine.any():
            return
        rep = result.shot_rep[mine]
        unit = result.shot_unit[mine]
        threat = result.shot_threat[mine]
        tau = result.shot_intercept_s[mine]
        territory = np.empty(rep.size, dtype=np.int64)
        for r in np.unique(route_set[rep]):
            sel = route_set[rep] == r
            lon, lat, _, _ = positions_at(self.pool.geometry.pieces[r], threat[sel], tau[sel])
            territory[sel] = territory_codes(lon, lat)
        outside = territory != self.unit_territory[unit]
        np.add.at(out["allied_rounds"][:, night], rep, 1)
        np.add.at(out["allied_rounds_outside"][:, night], rep[outside], 1)

    def _count(
        self, out: dict[str, np.ndarray], night: int, fate: np.ndarray, active: np.ndarray
    ) -> None:
        destroyed = active & (fate == Fate.INTERCEPTED)
        gone = (fate == Fate.LOST_TO_EW) | (fate == Fate.FELL)  # locationally lost (#22)
        lost = active & (gone | ((fate == Fate.IMPACTED) & self.decoy))
        hits = active & (fate == Fate.IMPACTED) & ~self.decoy
        for k, members in enumerate(self.class_members):
            out["destroyed"][:, night, k] = destroyed[:, members].sum(axis=1)
            out["lost"][:, night, k] = lost[:, members].sum(axis=1)
            out["hits"][:, night, k] = hits[:, members].sum(axis=1)
