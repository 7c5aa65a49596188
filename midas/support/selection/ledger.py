"""The money and the quota shares of a set of funded candidates, kept as candidates are added and removed.

The greedy baseline builds its selection with it, and the explanations read the remaining budgets of the optimum
off it, so both use one exact integer account of the rules.
"""

from __future__ import annotations

from midas.support.selection.model import BudgetUse, Candidate, Quota, QuotaUse, SelectionProblem


class Ledger:
    """Budgets used per track and per (track, region), and each quota's funded measure in and out of its regions."""

    def __init__(self, problem: SelectionProblem) -> None:
        self.problem = problem
        self.track_budget = {b.track: b.budget_krw for b in problem.track_budgets}
        self.region_budget = {(b.track, b.region): b.budget_krw for b in problem.region_budgets}
        self.track_used = dict.fromkeys(self.track_budget, 0)
        self.region_used = dict.fromkeys(self.region_budget, 0)
        self.quota_in = [0] * len(problem.quotas)
        self.quota_total = [0] * len(problem.quotas)

    @staticmethod
    def _measure(quota: Quota, candidate: Candidate) -> int:
        return candidate.grant_krw if quota.measure == "amount" else 1

    @staticmethod
    def _covers(quota: Quota, candidate: Candidate) -> bool:
        return quota.track is None or quota.track == candidate.track

    def track_left(self, candidate: Candidate) -> int:
        return self.track_budget[candidate.track] - self.track_used[candidate.track]

    def region_left(self, candidate: Candidate) -> int | None:
        """What is left of the candidate's region budget in its track; None when the region has no budget of its own."""
        key = (candidate.track, candidate.region)
        return self.region_budget[key] - self.region_used[key] if key in self.region_budget else None

    def fits_budgets(self, candidate: Candidate) -> bool:
        left = self.region_left(candidate)
        return candidate.grant_krw <= self.track_left(candidate) and (left is None or candidate.grant_krw <= left)

    def broken_quota(self, candidate: Candidate) -> int | None:
        """The first quota that funding ``candidate`` on top of the others would break, if any."""
        for index, quota in enumerate(self.problem.quotas):
            if not self._covers(quota, candidate):
                continue
            measure = self._measure(quota, candidate)
            inside = self.quota_in[index] + (measure if candidate.region in quota.regions else 0)
            if 100 * inside < quota.min_share_percent * (self.quota_total[index] + measure):
                return index
        return None

    def violated_quota(self) -> int | None:
        for index, quota in enumerate(self.problem.quotas):
            if 100 * self.quota_in[index] < quota.min_share_percent * self.quota_total[index]:
                return index
        return None

    def add(self, candidate: Candidate, sign: int = 1) -> None:
        self.track_used[candidate.track] += sign * candidate.grant_krw
        key = (candidate.track, candidate.region)
        if key in self.region_used:
            self.region_used[key] += sign * candidate.grant_krw
        for index, quota in enumerate(self.problem.quotas):
            if self._covers(quota, candidate):
                measure = sign * self._measure(quota, candidate)
                self.quota_total[index] += measure
                if candidate.region in quota.regions:
                    self.quota_in[index] += measure

    def remove(self, candidate: Candidate) -> None:
        self.add(candidate, -1)

    def budget_use(self) -> tuple[BudgetUse, ...]:
        """Every track's budget, followed by its regions' parts, in the order of the problem."""
        rows = []
        for budget in self.problem.track_budgets:
            used = self.track_used[budget.track]
            rows.append(BudgetUse(budget.track, None, budget.budget_krw, used, budget.budget_krw - used))
            for part in self.problem.region_budgets:
                if part.track == budget.track:
                    used = self.region_used[(part.track, part.region)]
                    rows.append(BudgetUse(part.track, part.region, part.budget_krw, used, part.budget_krw - used))
        return tuple(rows)

    def quota_use(self) -> tuple[QuotaUse, ...]:
        rows = []
        for index, quota in enumerate(self.problem.quotas):
            inside, total = self.quota_in[index], self.quota_total[index]
            rows.append(QuotaUse(quota.track, tuple(sorted(quota.regions)), quota.measure, quota.min_share_percent,
                                 100.0 * inside / total if total else 100.0, inside, total))
        return tuple(rows)
