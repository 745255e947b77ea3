"""Method of Equal Shares (MES), as pabutools 1.2.3 computes it, but fast.

Definition (equalshares.net). Every voter starts with an equal share ``beta`` of the budget. A
project ``p`` costing ``c`` is *affordable at price* ``alpha`` if its supporters can pay for it when
each supporter ``i`` pays ``min(budget_i, alpha * sat_i(p))``. Each round selects the project with
the smallest such ``alpha`` (ties: smallest id as a string), its supporters pay, and the rounds
stop when no project's supporters have ``c`` left between them.

How the result stays identical to pabutools' exact rationals while computing in floats:

* Voters with identical ballots are one weighted group (identical voters always have identical
  budgets, so this changes nothing).
* Budgets are float64 arrays and every decision is made on floats **only when its margin is
  larger than a proven bound on the float error**. Decisions inside the bound (near-ties between
  projects, a project whose supporters have almost exactly its cost, a voter whose budget is
  almost exactly the asked payment) are recomputed with :class:`fractions.Fraction`.
* The price of every selected project is computed exactly, from exact budgets of the voters who
  pay all they have (the others pay ``gamma * units`` whatever their budget). Float budgets are
  rebuilt from exact prices, so their error never exceeds a few ulps per payment.
* As in pabutools, a project's last computed price is a lower bound of its current price (budgets
  only fall), so each round re-evaluates only the projects whose bound is within reach of the best.
"""

from __future__ import annotations

import heapq
import math
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
        self.unit_total_f = [float(t) for t in profile.unit_totals]
        self.groups: list[IntArray] = []
        self.units_f: list[FloatArray] = []
        self.w_f: list[FloatArray] = []
        self.wu_f: list[FloatArray] = []
        self.max_units: list[float] = []
        self.weights_int: list[IntArray] = []
        # Approval-like projects (every supporter has 1 unit) skip the per-voter multiplications.
        self.unit_ones: list[bool] = []
        self.support_weight: list[float] = []
        for project in range(num_projects):
            groups, units = profile.supporters(project)
            self.groups.append(groups)
            units_f = units.astype(np.float64)
            w_f = self.weights_f[groups]
            self.units_f.append(units_f)
            self.weights_int.append(weights[groups])
            self.w_f.append(w_f)
            self.wu_f.append(w_f * units_f)
            self.max_units.append(float(units_f.max()) if len(units_f) else 0.0)
            self.unit_ones.append(bool((units == 1).all()))
            self.support_weight.append(float(w_f.sum()))
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
        lengths = np.diff(profile.group_offsets)
        self.max_ballot = int(lengths.max()) if len(lengths) else 0
        # Entries of each group's ballot, to mark the projects whose price a payment may change.
        self.group_entry_projects = profile.group_projects
        self._neighbours: dict[int, IntArray] = {}
        self._fresh_exact: dict[int, Fraction] = {}
        # Price of every candidate while all its supporters can pay their share: cost / total units.
        # It is the same in every pass, and a lower bound of the price later on.
        self.fresh_alpha = np.full(num_projects, math.inf)
        self.fresh_gamma = np.zeros(num_projects)
        initial: list[tuple[float, int, int]] = []
        for project in self.candidates:
            gamma = self.cost_f[project] / self.unit_total_f[project]
            self.fresh_gamma[project] = gamma
            self.fresh_alpha[project] = gamma / self.scale_f[project]
            initial.append((self.fresh_alpha[project] * (1 - 4 * RELATIVE_SLACK), profile.id_rank[project], project))
        heapq.heapify(initial)
        self.initial_heap = initial
        # The fresh price needs each supporter to afford gamma * units: beta >= this.
        self.fresh_needs = self.fresh_gamma * np.asarray(self.max_units)

    def fresh_alpha_exact(self, project: int) -> Fraction:
        found = self._fresh_exact.get(project)
        if found is None:
            profile = self.profile
            found = profile.costs[project] / (profile.unit_totals[project] * profile.scale[project])
            self._fresh_exact[project] = found
        return found

    def neighbours(self, project: int) -> IntArray:
        """Projects sharing at least one supporter group with ``project`` (computed once)."""
        found = self._neighbours.get(project)
        if found is None:
            groups = self.groups[project]
            starts = self.profile.group_offsets[groups]
            lengths = self.profile.group_offsets[groups + 1] - starts
            total = int(lengths.sum())
            base = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
            found = np.unique(self.group_entry_projects[base + np.arange(total)])
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
    gamma: float
    # Groups that may have paid all they had; the float margins proved that every other supporter
    # paid exactly gamma * units, except those that had exactly nothing left (zero_units of them).
    window: IntArray
    window_units: IntArray
    zero_units: int = 0


class _Pass:
    """One run of MES with per-voter budget ``beta``.

    Floats carry every group's budget together with a bound on its distance from the exact budget.
    Exact prices of past rounds are computed only when a decision needs exact budgets, in round
    order, each from the exact budgets of the groups in its window.
    """

    def __init__(self, engine: EqualShares, beta: Fraction, details: bool) -> None:
        self.e = engine
        self.beta = beta
        self.beta_f = float(beta)
        self.details = details
        profile = engine.profile
        self.budgets = np.full(profile.num_groups, self.beta_f)
        # Per group: |float budget - exact budget| <= errors[group] <= max_error.
        self.errors = np.full(profile.num_groups, EPSILON * self.beta_f)
        self.max_error = EPSILON * self.beta_f
        self.round_of = [-1] * profile.num_projects
        self.records: list[_Record] = []
        self.paid_in_full: list[int] = []
        self.exact_rounds: list[tuple[Fraction, frozenset[int]]] = []
        self.share_needed = np.zeros(0)

    # ------------------------------------------------------------------ exact quantities

    def exact_budget(self, group: int, before: int) -> Fraction:
        """Exact budget of ``group`` before round ``before`` (rounds it paid in must be exact)."""
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
                self.exact_solve(record.project, record.window, record.window_units, record.zero_units, number)
            )

    def exact_solve(
        self, project: int, window: IntArray, window_units: IntArray, zero_units: int, before: int
    ) -> tuple[Fraction, frozenset[int]]:
        """Exact price per unit of ``project`` before round ``before``, and who pays all they have.

        Supporters outside ``window`` pay ``gamma * units`` (the float margins proved it), except
        those holding ``zero_units`` units, who have exactly nothing left.
        """
        e = self.e
        profile = e.profile
        entries = []
        for group, units in zip(window.tolist(), window_units.tolist(), strict=True):
            budget = self.exact_budget(group, before)
            entries.append((budget / units, budget, units, group))
        entries.sort(key=lambda item: item[0])
        cost = profile.costs[project]
        contributed = Fraction(0)
        remaining_units = profile.unit_totals[project] - zero_units
        paying_all: list[int] = []
        for ratio, budget, units, group in entries:
            candidate = (cost - contributed) / remaining_units
            if candidate <= ratio:
                return candidate, frozenset(paying_all)
            weight = e.weights_list[group]
            contributed += weight * budget
            remaining_units -= weight * units
            paying_all.append(group)
        if remaining_units <= 0:  # pragma: no cover - excluded by the affordability check
            raise ArithmeticError("MES: project priced with no paying supporter left")
        return (cost - contributed) / remaining_units, frozenset(paying_all)

    def exact_gamma_now(self, project: int, gamma_f: float, gamma_err: float) -> Fraction:
        """Exact price per unit of a candidate in the current round."""
        e = self.e
        now = len(self.records)
        groups = e.groups[project]
        units = e.profile.supporters(project)[1]
        units_f = e.units_f[project]
        budgets, errors = self.budgets[groups], self.errors[groups]
        margins = budgets - errors
        # A zero budget with a zero error bound is exactly zero (set so only when surely paying all).
        empty = (budgets == 0) & (errors == 0)
        zero_units = int(e.weights_int[project][empty] @ units[empty])
        in_window = (margins < (gamma_f + gamma_err) * units_f) & ~empty
        while True:
            window = groups[in_window]
            self.make_exact(window, now)
            gamma, _ = self.exact_solve(project, window, units[in_window], zero_units, now)
            # Check, do not assume, that everyone outside the window can pay the exact share.
            if (margins >= float(gamma) * (1 + RELATIVE_SLACK) * units_f)[~in_window & ~empty].all():
                return gamma
            in_window = ~empty

    def exact_alpha(self, project: int, gamma_f: float, gamma_err: float) -> Fraction:
        """Exact price of a candidate: cost / total satisfaction while every supporter can pay the
        share (the common tie: two such projects with equally many supporters), else computed."""
        if self.share_needed[project] < math.inf:
            return self.e.fresh_alpha_exact(project)
        return self.exact_gamma_now(project, gamma_f, gamma_err) / self.e.profile.scale[project]

    def exact_available(self, project: int) -> Fraction:
        e = self.e
        now = len(self.records)
        groups = e.groups[project]
        self.make_exact(groups, now)
        return sum((e.weights_list[g] * self.exact_budget(g, now) for g in groups.tolist()), Fraction(0))

    # ------------------------------------------------------------------ float evaluation

    def evaluate(self, project: int) -> tuple[float, float, float, float] | None:
        """(alpha, alpha error bound, gamma, gamma error bound), or None if unaffordable.

        gamma solves sum_i w_i * min(budget_i, gamma * units_i) = cost. Only supporters who may pay
        all they have move the root when their budgets are off, so only their errors count.
        An error bound of gamma itself means "unsure": exact arithmetic decides.
        """
        e = self.e
        groups = e.groups[project]
        budgets = self.budgets[groups]
        w_f = e.w_f[project]
        cost = e.cost_f[project]
        available = float(w_f @ budgets)
        rounding = RELATIVE_SLACK * (available + cost)
        if available < cost + rounding + e.support_weight[project] * self.max_error:
            slack = float(w_f @ self.errors[groups]) + rounding
            if available < cost - slack:
                return None
            if available <= cost + slack and self.exact_available(project) < e.profile.costs[project]:
                return None
        ones = e.unit_ones[project]
        total_units = e.unit_total_f[project]
        scale = e.scale_f[project]
        gamma = cost / total_units
        ratios = budgets if ones else budgets / e.units_f[project]
        if float(ratios.min()) - self.max_error >= gamma * (1 + 4 * RELATIVE_SLACK):
            # Nobody can be short of the share: gamma = cost / total units, up to rounding.
            self.share_needed[project] = e.fresh_needs[project] * (1 + 4 * RELATIVE_SLACK)
            gamma_err = RELATIVE_SLACK * gamma
            alpha = gamma / scale
            return alpha, gamma_err / scale + RELATIVE_SLACK * alpha, gamma, gamma_err
        self.share_needed[project] = math.inf
        # Poor/rich iteration: supporters whose ratio is below the price pay all they have and the
        # others share the rest. Starting from cost / total units the price only rises, and it stops
        # at the smallest fixed point, the MES price. No sorting: a few passes over the supporters.
        wu = e.wu_f[project]
        paying_share = total_units
        for _ in range(64):
            poor = ratios < gamma
            paid = float(np.dot(w_f, budgets * poor))
            paying_share = total_units - float(np.dot(wu, poor))
            if paying_share <= 0:  # float noise at exact affordability: let exact arithmetic decide
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
        maybe = ratios < gamma * (1 + 1e-9) + self.max_error
        safe_units = total_units - float(np.dot(wu, maybe))
        if safe_units <= 0:
            return gamma / scale, gamma / scale, gamma, gamma
        error_sum = float(np.dot(w_f[maybe], self.errors[groups[maybe]]))
        gamma_err = (error_sum + rounding) / safe_units + RELATIVE_SLACK * gamma
        if gamma_err > 1e-9 * gamma:
            return gamma / scale, gamma / scale, gamma, gamma
        alpha = gamma / scale
        return alpha, gamma_err / scale + RELATIVE_SLACK * alpha, gamma, gamma_err

    # ------------------------------------------------------------------ the rounds

    def run(self) -> PassResult:
        e = self.e
        profile = e.profile
        rank = profile.id_rank
        alive = np.zeros(profile.num_projects, dtype=bool)
        alive[e.candidates] = True
        # A fresh price holds when every supporter can pay it; otherwise evaluate before use.
        dirty = e.fresh_needs > self.beta_f * (1 - 4 * RELATIVE_SLACK)
        # For projects priced with nobody short of their share: the budget every supporter needs
        # for that price to stand (a payment elsewhere that leaves more than this changes nothing).
        self.share_needed = np.where(dirty, math.inf, e.fresh_needs * (1 + 4 * RELATIVE_SLACK))
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
                    result = self.evaluate(project)
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
            for p in evaluated:
                if p != chosen:
                    heapq.heappush(heap, (alpha[p] - alpha_err[p], rank[p], p))
            alive[chosen] = False
            floor = self.pay(chosen, gamma_f[chosen], gamma_err[chosen])
            self.mark_dirty(chosen, dirty, floor)
        paid = self.paid_in_full if self.details else [0] * len(self.records)
        rounds = [Round(r.project, count) for r, count in zip(self.records, paid, strict=True)]
        return PassResult(self.beta, list(e.free), rounds, self.budgets)

    def pay(self, project: int, gamma: float, gamma_err: float) -> float:
        """Supporters pay; returns a lower bound of their exact budgets afterwards."""
        e = self.e
        self.round_of[project] = len(self.records)
        groups = e.groups[project]
        units_f = e.units_f[project]
        ones = e.unit_ones[project]
        budgets = self.budgets[groups]
        # Whatever the exact outcome for a group, |float - exact| stays within its old bound plus
        # units * gamma_err plus the rounding of this subtraction (budgets never exceed beta).
        rounding = 4 * EPSILON * self.beta_f
        lowest = float(budgets.min()) if ones else float((budgets / units_f).min())
        old_max_error = self.max_error
        self.max_error += e.max_units[project] * gamma_err + rounding
        if lowest - old_max_error >= gamma + gamma_err:
            # The common case: everyone surely pays gamma * units and nobody runs dry.
            self.records.append(_Record(project, gamma, _EMPTY, _EMPTY))
            self.paid_in_full.append(0)
            if ones:
                self.budgets[groups] = budgets - gamma
                self.errors[groups] += gamma_err + rounding
                return lowest - gamma - self.max_error
            new_budgets = budgets - gamma * units_f
            self.budgets[groups] = new_budgets
            self.errors[groups] += units_f * gamma_err + rounding
            return float(new_budgets.min()) - self.max_error
        errors = self.errors[groups]
        asked = gamma if ones else gamma * units_f
        empty = (budgets == 0) & (errors == 0)  # exactly nothing left
        in_window = ((budgets - errors) < (gamma + gamma_err) * units_f) & ~empty
        # Surely paying all: their exact budget is 0 afterwards, and so is the error.
        surely_all = (budgets + errors) < (gamma - gamma_err) * units_f
        units = e.profile.supporters(project)[1]
        zero_units = int(e.weights_int[project][empty] @ units[empty]) if empty.any() else 0
        self.records.append(_Record(project, gamma, groups[in_window], units[in_window], zero_units))
        new_budgets = np.where(surely_all, 0.0, np.maximum(budgets - asked, 0.0))
        if self.details:
            ran_dry = (budgets > 0) & (new_budgets == 0)
            self.paid_in_full.append(int(e.weights_int[project][ran_dry].sum()))
        else:
            self.paid_in_full.append(0)
        self.budgets[groups] = new_budgets
        self.errors[groups] = np.where(surely_all, 0.0, errors + units_f * gamma_err + rounding)
        return -math.inf

    def mark_dirty(self, project: int, dirty: BoolArray, floor: float) -> None:
        """Flag the projects sharing a supporter with ``project`` whose price may have risen: all of
        them, except those priced with everyone paying a share that every payer still has."""
        neighbours = self.e.neighbours(project)
        affected = neighbours[self.share_needed[neighbours] > floor]
        dirty[affected] = True
        self.share_needed[affected] = math.inf


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
