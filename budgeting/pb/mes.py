"""Method of Equal Shares (MES), as pabutools 1.2.3 computes it, but fast.

Definition (equalshares.net). Every voter starts with an equal share ``beta`` of the budget. A
project ``p`` costing ``c`` is *affordable at price* ``alpha`` if its supporters can pay for it when
each supporter ``i`` pays ``min(budget_i, alpha * sat_i(p))``. Each round selects the project with
the smallest such ``alpha`` (ties: smallest id as a string), its supporters pay, and the rounds
stop when no project's supporters have ``c`` left between them.

How the result stays identical to pabutools' exact rationals while computing in floats:

* Voters with identical ballots are one weighted group (identical voters always have identical
  budgets, so this changes nothing). Satisfaction is ``scale[p] * units`` with integer units, and
  the code works with ``gamma = alpha * scale[p]``, the payment per unit.
* Budgets are float64 arrays, each with a proven bound on its distance from the exact budget. A
  decision is taken on floats **only when its margin exceeds the error bounds**; otherwise it is
  redone with :class:`fractions.Fraction`: near-ties between projects, a project whose supporters
  have almost exactly its cost, a voter whose budget is almost exactly the payment asked.
* A group that surely paid all it had is *dead*: its exact budget is 0, and the projects it
  supports count only their live supporters' units. The common price "cost / live units" (every
  live supporter can pay its share) is then exact and cheap.
* Exact budgets are rebuilt lazily: each round records the few groups that may have paid all they
  had (its *window*); exact prices of past rounds are computed, in order, when first needed.
* As in pabutools, a project's last computed price is a lower bound of its current price (budgets
  only fall), so each round re-evaluates only projects whose bound is within reach of the best.
"""

from __future__ import annotations

import heapq
import math
import operator
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from budgeting.pb.greedy import SCORE_UNITS, display_score, greedy_select
from budgeting.pb.outcome import Explanation, Outcome, Reason
from budgeting.pb.profile import SupportProfile

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

EPSILON = 2.0**-52
# Relative slack added to every float error bound: a hundred times the rounding error of a pairwise
# float64 sum of a million terms (log2(n) * 2**-52 ~ 5e-15), and still far below any difference a
# real tie-free election produces, so exact arithmetic runs only on genuine near-ties.
RELATIVE_SLACK = 1e-12
# An error bound this large relative to gamma means "unsure": exact arithmetic decides.
UNSURE = 1e-9
# Projects with at most this many supporter groups are priced with a plain Python loop.
SMALL_PROJECT = 48


@dataclass
class Round:
    project: int
    paid_in_full: int  # voters who paid all they had left (with something left before)


@dataclass
class PassResult:
    beta: Fraction
    free: list[int]
    rounds: list[Round]
    budgets: FloatArray  # float budget of every group after the last round
    selected: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.selected = self.free + [r.project for r in self.rounds]


class EqualShares:
    """Precomputed per-project arrays for repeated MES passes over one profile."""

    def __init__(self, profile: SupportProfile) -> None:
        self.profile = profile
        num_projects = profile.num_projects
        weights = profile.weights
        self.weights_f = weights.astype(np.float64)
        self.weights_list: list[int] = weights.tolist()
        self.cost_f = [float(c) for c in profile.costs]
        self.scale_f = [float(s) for s in profile.scale]
        self.groups: list[IntArray] = []
        self.units: list[IntArray] = []
        self.units_f: list[FloatArray] = []
        self.w_f: list[FloatArray] = []
        self.wu_f: list[FloatArray] = []
        self.max_units: list[float] = []
        self.weights_int: list[IntArray] = []
        # Approval-like projects (every supporter has 1 unit) skip the per-voter multiplications.
        self.unit_ones: list[bool] = []
        self.support_weight: list[float] = []
        # Python lists for projects with few supporter groups: below ~50 elements a plain loop
        # beats numpy's per-call overhead (Toulouse 2022: 24 groups per project at the median).
        self.small: list[bool] = []
        self.sum_rounding: list[float] = []
        self.w_list: list[list[float]] = []
        self.units_list: list[list[float]] = []
        for project in range(num_projects):
            groups, units = profile.supporters(project)
            self.groups.append(groups)
            self.units.append(units)
            units_f = units.astype(np.float64)
            w_f = self.weights_f[groups]
            self.units_f.append(units_f)
            self.weights_int.append(weights[groups])
            self.w_f.append(w_f)
            self.wu_f.append(w_f * units_f)
            self.max_units.append(float(units_f.max()) if len(units_f) else 0.0)
            self.unit_ones.append(bool((units == 1).all()))
            self.support_weight.append(float(w_f.sum()))
            # Relative rounding bound of a float sum over the supporters (naive summation: n ulps).
            self.sum_rounding.append((len(groups) + 8) * EPSILON)
            small = len(groups) <= SMALL_PROJECT
            self.small.append(small)
            self.w_list.append(w_f.tolist() if small else [])
            self.units_list.append(units_f.tolist() if small else [])
        self.candidates = [
            p for p in range(num_projects) if profile.unit_totals[p] > 0 and profile.costs[p] > 0
        ]
        self.free = sorted(
            (p for p in range(num_projects) if profile.unit_totals[p] > 0 and profile.costs[p] == 0),
            key=lambda p: profile.id_rank[p],
        )
        self.group_offsets: list[int] = profile.group_offsets.tolist()
        self.group_projects: list[int] = profile.group_projects.tolist()
        self.group_units: list[int] = profile.group_units.tolist()
        # weight * units of every ballot entry, to take dead groups out of their projects' units.
        self.entry_weighted_units = np.repeat(profile.weights, np.diff(profile.group_offsets)) * profile.group_units
        self.entry_weighted_units_list: list[int] = self.entry_weighted_units.tolist()
        self._neighbours: dict[int, IntArray] = {}
        # Price of every candidate while all its supporters can pay their share: cost / total units.
        # It is the same in every pass, and a lower bound of the price later on.
        self.fresh_alpha = np.full(num_projects, math.inf)
        self.fresh_gamma = np.zeros(num_projects)
        initial: list[tuple[float, int, int]] = []
        for project in self.candidates:
            gamma = self.cost_f[project] / profile.unit_totals[project]
            self.fresh_gamma[project] = gamma
            self.fresh_alpha[project] = gamma / self.scale_f[project]
            initial.append((self.fresh_alpha[project] * (1 - 4 * RELATIVE_SLACK), profile.id_rank[project], project))
        heapq.heapify(initial)
        self.initial_heap = initial
        # The fresh price needs each supporter to afford gamma * units: beta >= this.
        self.fresh_needs = self.fresh_gamma * np.asarray(self.max_units)

    def entries_of(self, groups: IntArray) -> IntArray:
        """Flat indices of the ballot entries of these groups."""
        offsets = self.profile.group_offsets
        starts = offsets[groups]
        lengths = offsets[groups + 1] - starts
        total = int(lengths.sum())
        base = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
        return base + np.arange(total)

    def neighbours(self, project: int) -> IntArray:
        """Projects sharing at least one supporter group with ``project`` (computed once)."""
        found = self._neighbours.get(project)
        if found is None:
            found = np.unique(self.profile.group_projects[self.entries_of(self.groups[project])])
            self._neighbours[project] = found
        return found

    def run(self, beta: Fraction, details: bool = False) -> PassResult:
        """One MES pass; ``details`` also counts, per round, the voters who paid all they had."""
        return _Pass(self, beta, details).run()


_EMPTY = np.zeros(0, dtype=np.int64)


@dataclass
class _Record:
    """One selection, with what is needed to recompute its price exactly later if asked."""

    project: int
    # Live groups that may have paid all they had; the float margins proved that every other live
    # supporter paid exactly gamma * units. Dead supporters held live units - these units.
    window: IntArray
    window_units: IntArray
    live_units: int


class _Pass:
    """One run of MES with per-voter budget ``beta``."""

    def __init__(self, engine: EqualShares, beta: Fraction, details: bool) -> None:
        self.e = engine
        self.beta = beta
        self.beta_f = float(beta)
        self.details = details
        profile = engine.profile
        # Float budget of every group, +inf for a dead group (exactly 0): so the minimum over a
        # project's supporters is its poorest live supporter, and dead ones are never "poor".
        self.live_budgets = np.full(profile.num_groups, self.beta_f)
        # Per group: |float budget - exact budget| <= errors[group] <= max_error.
        self.errors = np.full(profile.num_groups, EPSILON * self.beta_f)
        self.max_error = EPSILON * self.beta_f
        self.dead_round = np.full(profile.num_groups, -1, dtype=np.int64)
        # Units (weighted) of each project's live supporters: exact integers.
        self.live_units: list[int] = list(profile.unit_totals)
        self.round_of = [-1] * profile.num_projects
        self.records: list[_Record] = []
        self.paid_in_full: list[int] = []
        self.exact_rounds: list[tuple[Fraction, frozenset[int]]] = []
        self.share_needed = np.zeros(0)
        self.quick = np.zeros(0, dtype=bool)
        self.dying_touched: IntArray | None = None

    # ------------------------------------------------------------------ exact quantities

    def exact_budget(self, group: int, before: int) -> Fraction:
        """Exact budget of ``group`` before round ``before`` (rounds it paid in must be exact)."""
        if 0 <= self.dead_round[group] < before:
            return Fraction(0)
        e = self.e
        value = self.beta
        for entry in range(e.group_offsets[group], e.group_offsets[group + 1]):
            paid_round = self.round_of[e.group_projects[entry]]
            if 0 <= paid_round < before:
                gamma, paid_all = self.exact_rounds[paid_round]
                if group in paid_all:
                    return Fraction(0)
                value -= gamma * e.group_units[entry]
        return value

    def make_exact(self, groups: IntArray, before: int) -> None:
        """Compute exact prices of all rounds up to the last one these groups paid in."""
        e = self.e
        last = -1
        for group in groups.tolist():
            for entry in range(e.group_offsets[group], e.group_offsets[group + 1]):
                paid_round = self.round_of[e.group_projects[entry]]
                if last < paid_round < before:
                    last = paid_round
        # In round order, so every round finds the exact rounds before it already computed.
        while len(self.exact_rounds) <= last:
            number = len(self.exact_rounds)
            record = self.records[number]
            self.exact_rounds.append(
                self.exact_solve(record.project, record.window, record.window_units, record.live_units, number)
            )

    def exact_solve(
        self, project: int, window: IntArray, window_units: IntArray, live_units: int, before: int
    ) -> tuple[Fraction, frozenset[int]]:
        """Exact price per unit of ``project`` before round ``before``, and who pays all they have.

        Live supporters outside ``window`` pay ``gamma * units`` (the float margins proved it).
        """
        e = self.e
        entries = []
        for group, units in zip(window.tolist(), window_units.tolist(), strict=True):
            budget = self.exact_budget(group, before)
            entries.append((budget / units, budget, units, group))
        entries.sort(key=lambda item: item[0])
        cost = e.profile.costs[project]
        contributed = Fraction(0)
        remaining_units = live_units
        paying_all: list[int] = []
        for ratio, budget, units, group in entries:
            candidate = (cost - contributed) / remaining_units
            if candidate <= ratio:
                return candidate, frozenset(paying_all)
            contributed += e.weights_list[group] * budget
            remaining_units -= e.weights_list[group] * units
            paying_all.append(group)
        if remaining_units <= 0:  # pragma: no cover - excluded by the affordability check
            raise ArithmeticError("MES: project priced with no paying supporter left")
        return (cost - contributed) / remaining_units, frozenset(paying_all)

    def exact_alpha(self, project: int, gamma_f: float, gamma_err: float) -> Fraction:
        """Exact price of a candidate in the current round."""
        e = self.e
        live_units = self.live_units[project]
        if self.quick[project]:
            # Every live supporter pays its share (the usual tie: equal projects, equal support).
            return e.profile.costs[project] / (live_units * e.profile.scale[project])
        now = len(self.records)
        groups = e.groups[project]
        units_f = e.units_f[project]
        margins = self.live_budgets[groups] - self.errors[groups]
        live = margins < math.inf
        in_window = margins < (gamma_f + gamma_err) * units_f
        while True:
            window = groups[in_window]
            self.make_exact(window, now)
            gamma, _ = self.exact_solve(project, window, e.units[project][in_window], live_units, now)
            # Check, do not assume, that every live supporter outside the window pays the share.
            if (margins >= float(gamma) * (1 + RELATIVE_SLACK) * units_f)[~in_window & live].all():
                return gamma / e.profile.scale[project]
            in_window = live

    def exact_available(self, project: int) -> Fraction:
        e = self.e
        now = len(self.records)
        groups = e.groups[project]
        live = groups[self.dead_round[groups] < 0]
        self.make_exact(live, now)
        return sum((e.weights_list[g] * self.exact_budget(g, now) for g in live.tolist()), Fraction(0))

    # ------------------------------------------------------------------ float evaluation

    def evaluate_small(self, project: int) -> tuple[float, float, float, float] | None:
        """``evaluate`` for a project with few supporter groups, in plain Python (same decisions)."""
        e = self.e
        groups = e.groups[project]
        live_budgets: list[float] = self.live_budgets[groups].tolist()
        weights = e.w_list[project]
        units = e.units_list[project]
        live_units = self.live_units[project]
        cost = e.cost_f[project]
        if live_units == e.profile.unit_totals[project]:
            available = sum(map(operator.mul, weights, live_budgets))
        else:
            available = sum(w * b for w, b in zip(weights, live_budgets, strict=True) if b != math.inf)
        rounding = e.sum_rounding[project] * (available + cost)
        if available < cost + rounding + e.support_weight[project] * self.max_error:
            slack = float(e.w_f[project] @ self.errors[groups]) + rounding
            if available < cost - slack:
                return None
            if available <= cost + slack and self.exact_available(project) < e.profile.costs[project]:
                return None
        scale = e.scale_f[project]
        gamma = cost / live_units
        ratios = live_budgets if e.unit_ones[project] else [b / u for b, u in zip(live_budgets, units, strict=True)]
        if min(ratios) - self.max_error >= gamma * (1 + 4 * RELATIVE_SLACK):
            self.share_needed[project] = gamma * e.max_units[project] * (1 + 4 * RELATIVE_SLACK)
            self.quick[project] = True
            gamma_err = 8 * EPSILON * gamma
            alpha = gamma / scale
            return alpha, gamma_err / scale + 4 * EPSILON * alpha, gamma, gamma_err
        self.quick[project] = False
        # The poorest pay all they have, in order, while their ratio is below the price.
        order = sorted(range(len(ratios)), key=ratios.__getitem__)
        paid = 0.0
        paying_share = float(live_units)
        position = 0
        while position < len(order):
            i = order[position]
            if ratios[i] >= gamma:
                break
            paid += weights[i] * live_budgets[i]
            paying_share -= weights[i] * units[i]
            if paying_share <= 0:  # float noise at exact affordability
                return gamma / scale, gamma / scale, gamma, gamma
            gamma = max(gamma, (cost - paid) / paying_share)
            position += 1
        # Supporters that may pay all they have at a price a little above gamma (see evaluate).
        reach = gamma * (1 + UNSURE) + self.max_error
        safe_units = paying_share
        while position < len(order) and ratios[order[position]] < reach:
            i = order[position]
            safe_units -= weights[i] * units[i]
            position += 1
        if safe_units <= 0:
            return gamma / scale, gamma / scale, gamma, gamma
        errors = self.errors[groups].tolist()
        error_sum = sum(weights[i] * errors[i] for i in order[:position])
        gamma_err = (error_sum + rounding) / safe_units + 8 * EPSILON * gamma
        if gamma_err > UNSURE * gamma:
            return gamma / scale, gamma / scale, gamma, gamma
        self.share_needed[project] = (gamma + gamma_err) * e.max_units[project] * (1 + 4 * RELATIVE_SLACK)
        alpha = gamma / scale
        return alpha, gamma_err / scale + 4 * EPSILON * alpha, gamma, gamma_err

    def evaluate(self, project: int, lower: float = 0.0) -> tuple[float, float, float, float] | None:
        """(alpha, alpha error bound, gamma, gamma error bound), or None if unaffordable.

        gamma solves sum_i w_i * min(budget_i, gamma * units_i) = cost over live supporters. Only
        supporters who may pay all they have move the root when their budgets are off, so only
        their errors count. An error bound of gamma itself means "unsure": exact arithmetic decides.
        ``lower`` is a lower bound of the price (its earlier price: prices only rise), where the
        iteration below may start.
        """
        e = self.e
        groups = e.groups[project]
        live_budgets = self.live_budgets[groups]
        live_units = self.live_units[project]
        budgets = live_budgets if live_units == e.profile.unit_totals[project] else np.where(
            live_budgets == math.inf, 0.0, live_budgets)
        w_f = e.w_f[project]
        cost = e.cost_f[project]
        available = float(w_f @ budgets)
        rounding = e.sum_rounding[project] * (available + cost)
        if available < cost + rounding + e.support_weight[project] * self.max_error:
            slack = float(w_f @ self.errors[groups]) + rounding
            if available < cost - slack:
                return None
            if available <= cost + slack and self.exact_available(project) < e.profile.costs[project]:
                return None
        scale = e.scale_f[project]
        gamma = cost / live_units
        ratios = live_budgets if e.unit_ones[project] else live_budgets / e.units_f[project]
        if float(ratios.min()) - self.max_error >= gamma * (1 + 4 * RELATIVE_SLACK):
            # Every live supporter can pay the share: gamma = cost / live units, up to rounding.
            self.share_needed[project] = gamma * e.max_units[project] * (1 + 4 * RELATIVE_SLACK)
            self.quick[project] = True
            gamma_err = 8 * EPSILON * gamma
            alpha = gamma / scale
            return alpha, gamma_err / scale + 4 * EPSILON * alpha, gamma, gamma_err
        self.quick[project] = False
        # Poor/rich iteration: live supporters whose ratio is below the price pay all they have and
        # the others share the rest. From any lower bound of the price (cost / live units, or the
        # project's earlier price) it only rises, and stops at the MES price: the smallest fixed
        # point. Dead supporters have ratio +inf and no units.
        gamma = max(gamma, lower)
        wu = e.wu_f[project]
        for _ in range(64):
            poor = ratios < gamma
            paid = float(np.dot(w_f, np.where(poor, budgets, 0.0)))
            paying_share = live_units - float(np.dot(wu, poor))
            if paying_share <= 0:  # float noise at exact affordability
                return gamma / scale, gamma / scale, gamma, gamma
            new_gamma = (cost - paid) / paying_share
            if new_gamma <= gamma:
                break
            gamma = new_gamma
        else:  # pragma: no cover - a staircase of 64 budget levels: leave it to exact arithmetic
            return gamma / scale, gamma / scale, gamma, gamma
        # Supporters that may pay all they have at a price up to a little above gamma: their budget
        # errors move the root, by at most (their errors) / (units of the others). (units >= 1, so
        # error / units <= max_error.)
        maybe = ratios < gamma * (1 + UNSURE) + self.max_error
        safe_units = live_units - float(np.dot(wu, maybe))
        if safe_units <= 0:
            return gamma / scale, gamma / scale, gamma, gamma
        error_sum = float(np.dot(w_f[maybe], self.errors[groups[maybe]]))
        gamma_err = (error_sum + rounding) / safe_units + 8 * EPSILON * gamma
        if gamma_err > UNSURE * gamma:
            return gamma / scale, gamma / scale, gamma, gamma
        # The price depends on the poor supporters' budgets and on the others affording their
        # share; a payment leaving every payer more than this share cannot touch either.
        self.share_needed[project] = (gamma + gamma_err) * e.max_units[project] * (1 + 4 * RELATIVE_SLACK)
        alpha = gamma / scale
        return alpha, gamma_err / scale + 4 * EPSILON * alpha, gamma, gamma_err

    # ------------------------------------------------------------------ the rounds

    def run(self) -> PassResult:
        e = self.e
        profile = e.profile
        rank = profile.id_rank
        alive = np.zeros(profile.num_projects, dtype=bool)
        alive[e.candidates] = True
        # A fresh price holds when every supporter can pay it; otherwise evaluate before use.
        dirty = e.fresh_needs > self.beta_f * (1 - 4 * RELATIVE_SLACK)
        # For projects priced with every live supporter paying its share: the budget each of them
        # needs for that price to stand (a payment elsewhere leaving more than this changes nothing).
        self.share_needed = np.where(dirty, math.inf, e.fresh_needs * (1 + 4 * RELATIVE_SLACK))
        # Projects whose current price is cost / live units (every live supporter pays a share).
        self.quick = ~dirty
        alpha: list[float] = e.fresh_alpha.tolist()
        alpha_err = [4 * RELATIVE_SLACK * a for a in alpha]
        gamma_f: list[float] = e.fresh_gamma.tolist()
        gamma_err = [4 * RELATIVE_SLACK * g for g in gamma_f]
        heap = list(e.initial_heap)

        while heap:
            evaluated: list[int] = []
            best = math.inf
            best_err = 0.0
            while heap:
                bound, _, project = heap[0]
                if bound > best + 2 * best_err:
                    break
                heapq.heappop(heap)
                if not alive[project]:
                    continue
                if dirty[project]:
                    if e.small[project]:
                        result = self.evaluate_small(project)
                    else:
                        result = self.evaluate(project, gamma_f[project] - gamma_err[project])
                    dirty[project] = False
                    if result is None:
                        alive[project] = False
                        continue
                    alpha[project], alpha_err[project], gamma_f[project], gamma_err[project] = result
                evaluated.append(project)
                if alpha[project] < best:
                    best, best_err = alpha[project], alpha_err[project]
            if not evaluated:
                break
            ties = [p for p in evaluated if alpha[p] - alpha_err[p] <= best + best_err]
            if len(ties) == 1:
                chosen = ties[0]
            else:
                exact = {p: self.exact_alpha(p, gamma_f[p], gamma_err[p]) for p in ties}
                chosen = min(ties, key=lambda p: (exact[p], rank[p]))
            if gamma_err[chosen] >= UNSURE * gamma_f[chosen]:
                # Pay the exact price, not an estimate the floats could not vouch for.
                exact_gamma = self.exact_alpha(chosen, gamma_f[chosen], gamma_err[chosen]) * profile.scale[chosen]
                gamma_f[chosen], gamma_err[chosen] = float(exact_gamma), 8 * EPSILON * float(exact_gamma)
            for p in evaluated:
                if p != chosen:
                    heapq.heappush(heap, (alpha[p] - alpha_err[p], rank[p], p))
            alive[chosen] = False
            if e.small[chosen]:
                floor = self.pay_small(chosen, gamma_f[chosen], gamma_err[chosen])
            else:
                floor = self.pay(chosen, gamma_f[chosen], gamma_err[chosen])
            self.mark_dirty(chosen, dirty, floor)
        paid = self.paid_in_full if self.details else [0] * len(self.records)
        rounds = [Round(r.project, count) for r, count in zip(self.records, paid, strict=True)]
        budgets = np.where(self.live_budgets == math.inf, 0.0, self.live_budgets)
        return PassResult(self.beta, list(e.free), rounds, budgets)

    def pay(self, project: int, gamma: float, gamma_err: float) -> float:
        """Supporters pay; returns a lower bound of the live payers' exact budgets afterwards
        (-inf when some of them ran dry)."""
        e = self.e
        number = len(self.records)
        self.round_of[project] = number
        groups = e.groups[project]
        units_f = e.units_f[project]
        ones = e.unit_ones[project]
        live_units = self.live_units[project]
        live_budgets = self.live_budgets[groups]
        # Whatever the exact outcome for a group, |float - exact| stays within its old bound plus
        # units * gamma_err plus the rounding of this subtraction (budgets never exceed beta).
        rounding = 4 * EPSILON * self.beta_f
        lowest = float(live_budgets.min()) if ones else float((live_budgets / units_f).min())
        old_max_error = self.max_error
        self.max_error += e.max_units[project] * gamma_err + rounding
        if lowest - old_max_error >= gamma + gamma_err:
            # The common case: every live supporter surely pays gamma * units and none runs dry.
            self.records.append(_Record(project, _EMPTY, _EMPTY, live_units))
            self.paid_in_full.append(0)
            asked = gamma if ones else gamma * units_f
            new_live = live_budgets - asked  # dead groups stay at +inf
            self.live_budgets[groups] = new_live
            self.errors[groups] += (gamma_err if ones else units_f * gamma_err) + rounding
            return lowest - gamma - self.max_error if ones else float(new_live.min()) - self.max_error
        errors = self.errors[groups]
        asked = gamma if ones else gamma * units_f
        # Dead groups (+inf) are in neither set.
        in_window = (live_budgets - errors) < (gamma + gamma_err) * units_f
        # Surely paying all: their exact budget is 0 afterwards; they die.
        surely_all = (live_budgets + errors) < (gamma - gamma_err) * units_f
        self.records.append(_Record(project, groups[in_window], e.units[project][in_window], live_units))
        new_live = np.where(surely_all, math.inf, np.maximum(live_budgets - asked, 0.0))
        if self.details:
            ran_dry = (live_budgets > 0) & (live_budgets < math.inf) & (surely_all | (new_live == 0))
            self.paid_in_full.append(int(e.weights_int[project][ran_dry].sum()))
        else:
            self.paid_in_full.append(0)
        self.live_budgets[groups] = new_live
        self.errors[groups] = np.where(surely_all, 0.0, errors + units_f * gamma_err + rounding)
        if surely_all.any():
            dying = groups[surely_all]
            self.dead_round[dying] = number
            entries = e.entries_of(dying)
            touched = e.profile.group_projects[entries]
            # Exact as floats: integer sums far below 2**53.
            lost = np.bincount(touched, weights=e.entry_weighted_units[entries], minlength=e.profile.num_projects)
            for entry_project in np.flatnonzero(lost).tolist():
                self.live_units[entry_project] -= int(lost[entry_project])
            # A supporter dying changes the price of every project it supports.
            self.dying_touched = touched
        survivors = new_live[new_live < math.inf]
        return float(survivors.min()) - self.max_error if len(survivors) else math.inf

    def pay_small(self, project: int, gamma: float, gamma_err: float) -> float:
        """``pay`` for a project with few supporter groups, in plain Python (same decisions)."""
        e = self.e
        number = len(self.records)
        self.round_of[project] = number
        groups = e.groups[project]
        units = e.units_list[project]
        live_budgets: list[float] = self.live_budgets[groups].tolist()
        rounding = 4 * EPSILON * self.beta_f
        ratios = live_budgets if e.unit_ones[project] else [b / u for b, u in zip(live_budgets, units, strict=True)]
        lowest = min(ratios)
        old_max_error = self.max_error
        self.max_error += e.max_units[project] * gamma_err + rounding
        live_units = self.live_units[project]
        if lowest - old_max_error >= gamma + gamma_err:
            # Every live supporter surely pays gamma * units and none runs dry (dead stay +inf).
            self.records.append(_Record(project, _EMPTY, _EMPTY, live_units))
            self.paid_in_full.append(0)
            self.live_budgets[groups] = [b - gamma * u for b, u in zip(live_budgets, units, strict=True)]
            self.errors[groups] += e.units_f[project] * gamma_err + rounding
            if e.unit_ones[project]:
                return lowest - gamma - self.max_error
            return min(b - gamma * u for b, u in zip(live_budgets, units, strict=True)) - self.max_error
        errors: list[float] = self.errors[groups].tolist()
        weights = e.w_list[project]
        high, low = gamma + gamma_err, gamma - gamma_err
        window: list[int] = []
        dying: list[int] = []
        paid_in_full = 0.0
        least_left = math.inf
        for i, (budget, error, u) in enumerate(zip(live_budgets, errors, units, strict=True)):
            if budget == math.inf:
                continue
            if budget - error < high * u:
                window.append(i)
            if budget + error < low * u:
                # Surely paying all: exactly 0 afterwards; the group dies.
                dying.append(i)
                live_budgets[i] = math.inf
                errors[i] = 0.0
                if budget > 0:
                    paid_in_full += weights[i]
                continue
            left = budget - gamma * u
            if left <= 0:
                left = 0.0
                if budget > 0:
                    paid_in_full += weights[i]
            live_budgets[i] = left
            errors[i] = error + u * gamma_err + rounding
            least_left = min(least_left, left)
        self.records.append(_Record(project, groups[window], e.units[project][window], live_units))
        self.paid_in_full.append(round(paid_in_full) if self.details else 0)
        self.live_budgets[groups] = live_budgets
        self.errors[groups] = errors
        if dying:
            touched: list[int] = []
            offsets, projects, lost = e.group_offsets, e.group_projects, e.entry_weighted_units_list
            for i in dying:
                group = int(groups[i])
                self.dead_round[group] = number
                for entry in range(offsets[group], offsets[group + 1]):
                    self.live_units[projects[entry]] -= lost[entry]
                    touched.append(projects[entry])
            self.dying_touched = np.asarray(touched, dtype=np.int64)
        return least_left - self.max_error

    def mark_dirty(self, project: int, dirty: BoolArray, floor: float) -> None:
        """Flag the projects sharing a supporter with ``project`` whose price may have risen: those
        supported by a group that died, and those whose payers now have less than the share that
        their price relied on (``floor`` is the least a surviving payer has left)."""
        neighbours = self.e.neighbours(project)
        affected = neighbours[self.share_needed[neighbours] > floor]
        dirty[affected] = True
        self.share_needed[affected] = math.inf
        if self.dying_touched is not None:
            dirty[self.dying_touched] = True
            self.share_needed[self.dying_touched] = math.inf
            self.dying_touched = None


# ---------------------------------------------------------------------- rules


def method_of_equal_shares(profile: SupportProfile) -> Outcome:
    """pabutools ``method_of_equal_shares`` without completion: per-voter budget B / n."""
    engine = EqualShares(profile)
    if profile.num_voters == 0:
        return _mes_outcome("mes", profile, PassResult(Fraction(0), [], [], np.zeros(0)), [], {})
    result = engine.run(profile.budget / profile.num_voters, details=True)
    return _mes_outcome("mes", profile, result, [], {"voter_budget": result.beta, "passes": 1})


def equal_shares_add1(profile: SupportProfile) -> tuple[PassResult, int]:
    """pabutools ``method_of_equal_shares(voter_budget_increment=1)``.

    Runs MES with per-voter budget B/n, B/n + 1, B/n + 2, ... and stops at the first outcome that
    is exhaustive (returned) or over the budget (the previous outcome is returned).
    """
    engine = EqualShares(profile)
    candidates = engine.candidates
    beta = profile.budget / profile.num_voters
    previous = PassResult(beta, list(engine.free), [], np.full(profile.num_groups, float(beta)))
    passes = 0
    while True:
        result = engine.run(beta)
        passes += 1
        chosen = set(result.selected)
        cost = sum((profile.costs[p] for p in chosen), Fraction(0))
        if cost > profile.budget:
            # Run the returned pass once more, counting who paid all they had (for explanations).
            return (engine.run(previous.beta, details=True) if passes > 1 else previous), passes
        if all(p in chosen or cost + profile.costs[p] > profile.budget for p in candidates):
            return engine.run(beta, details=True), passes
        previous = result
        beta += 1


def mes_add1(profile: SupportProfile, greedy_completion: bool = True) -> Outcome:
    """pabutools ``completion_by_rule_combination``: MES with add-one, then utilitarian greedy.

    ``greedy_completion=False`` stops after the add-one stage (what Assen 2024 published).
    """
    if profile.num_voters == 0:
        result, passes = PassResult(Fraction(0), [], [], np.zeros(0)), 0
    else:
        result, passes = equal_shares_add1(profile)
    selected = list(result.selected)
    completion: dict[int, Explanation] = {}
    spent = sum((profile.costs[p] for p in selected), Fraction(0))
    exhaustive = all(
        p in set(selected) or spent + profile.costs[p] > profile.budget for p in range(profile.num_projects)
    )
    if not exhaustive and greedy_completion:
        added, completion = greedy_select(profile, selected, Reason.COMPLETION)
        selected_extra = added
    else:
        selected_extra = []
    details: dict[str, Fraction | int | str] = {"voter_budget": result.beta, "passes": passes}
    return _mes_outcome("mes-add1", profile, result, selected_extra, details, completion)


def _mes_outcome(
    rule: str,
    profile: SupportProfile,
    result: PassResult,
    completed: list[int],
    details: dict[str, Fraction | int | str],
    completion: dict[int, Explanation] | None = None,
) -> Outcome:
    explanations: dict[str, Explanation] = {}
    unit = SCORE_UNITS[profile.satisfaction]
    for project in result.free:
        explanations[profile.ids[project]] = Explanation(
            profile.ids[project], True, Reason.FREE_AND_SUPPORTED, {"cost": profile.costs[project]}
        )
    for number, chosen in enumerate(result.rounds, start=1):
        project = chosen.project
        explanations[profile.ids[project]] = Explanation(
            profile.ids[project], True, Reason.EQUAL_SHARES_ROUND,
            {"round": number, "supporters": profile.supporter_counts[project], "cost": profile.costs[project],
             "paid_in_full": chosen.paid_in_full, "score": display_score(profile, project), "score_unit": unit},
        )
    mes_selected = set(result.selected)
    for project in range(profile.num_projects):
        project_id = profile.ids[project]
        if project in mes_selected:
            continue
        if completion and project in completion:
            explanations[project_id] = completion[project]
            continue
        if profile.unit_totals[project] == 0:
            explanations[project_id] = Explanation(
                project_id, False, Reason.NO_SUPPORT, {"cost": profile.costs[project]}
            )
            continue
        groups, _ = profile.supporters(project)
        available = Fraction(float(np.dot(profile.weights[groups], result.budgets[groups]))) if len(
            result.budgets) else Fraction(0)
        explanations[project_id] = Explanation(
            project_id, False, Reason.SHARES_RAN_OUT, {"available": available, "cost": profile.costs[project]}
        )
    selected = result.selected + completed
    return Outcome(
        rule=rule,
        selected=tuple(profile.ids[p] for p in selected),
        explanations={profile.ids[p]: explanations[profile.ids[p]] for p in range(profile.num_projects)},
        budget=profile.budget,
        total_cost=sum((profile.costs[p] for p in selected), Fraction(0)),
        details=details,
    )
