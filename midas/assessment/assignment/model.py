"""The typed inputs and outputs of expert assignment: who the experts are, what each assessment needs, the result.

Everything here is a frozen dataclass so that an instance can be hashed, compared in tests and passed between
threads; the solver never mutates its input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_EXPERTS_PER_ASSESSMENT = 2


@dataclass(frozen=True, slots=True)
class ExpertProfile:
    """An independent expert as the assignment sees them.

    ``expertise`` holds KSIC divisions (two-digit codes such as ``"29"``, machinery), ``technologies`` the
    technology areas the expert can judge (free vocabulary shared with :class:`AssessmentNeed`), ``region`` the
    two-digit administrative code of the province or metropolitan city where the expert lives, ``employer`` an id
    that is the same for experts of one organisation, ``load_limit`` the most assessments the expert takes in this
    round.
    """

    id: str
    expertise: frozenset[str]
    technologies: frozenset[str]
    region: str
    employer: str
    years_of_experience: int
    load_limit: int


@dataclass(frozen=True, slots=True)
class AssessmentNeed:
    """One company's assessment: its KSIC division, the technologies it needs judged, where it is, how many experts.

    ``limit_own_region`` is the operator's request that at most one expert come from the company's own region.
    """

    id: str
    industry: str
    technologies: frozenset[str]
    region: str
    experts_needed: int = DEFAULT_EXPERTS_PER_ASSESSMENT
    limit_own_region: bool = False


@dataclass(frozen=True, slots=True, order=True)
class ConflictPair:
    """An expert who may never assess this assessment (a declared or detected conflict of interest, a decline)."""

    expert_id: str
    assessment_id: str


@dataclass(frozen=True, slots=True)
class AssignmentProblem:
    """One whole instance: the pool, the assessments and the pairs that may never be made."""

    experts: tuple[ExpertProfile, ...]
    assessments: tuple[AssessmentNeed, ...]
    conflicts: frozenset[ConflictPair] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class AffinityBreakdown:
    """Why an expert suits an assessment: the four terms of the affinity, each in integer points.

    ``matched_technologies`` names the technology needs the expert covers, ``travel`` says how far the expert
    travels: ``"same-region"``, ``"same-area"`` (a neighbouring province of one macro-area) or ``"far"``.
    """

    industry: int
    technology: int
    region: int
    experience: int
    industry_matched: bool
    matched_technologies: tuple[str, ...]
    travel: str

    @property
    def total(self) -> int:
        return self.industry + self.technology + self.region + self.experience


@dataclass(frozen=True, slots=True, order=True)
class ExpertAssignment:
    """One expert assigned to one assessment, with the affinity that made the pair and its terms."""

    assessment_id: str
    expert_id: str
    affinity: int = field(compare=False)
    breakdown: AffinityBreakdown = field(compare=False)


@dataclass(frozen=True, slots=True)
class OptimalityCertificate:
    """Why the result is optimal over *every* eligible expert x assessment pair, not only the pairs the model held.

    ``upper_bound`` is the optimum of the linear relaxation over all eligible pairs (proved by pricing every pair
    against the relaxation's duals); ``objective`` is the integer solution's total affinity. Affinities are
    integers, so when ``method`` is ``"relaxation-bound"`` the proof is ``objective == floor(upper_bound)``. When
    the relaxation is fractional and the bound is not met, ``method`` is ``"reduced-cost-fixing"``: every pair that
    could be in a better solution was added to the model before its integer optimum was taken.
    ``pairs_considered`` is how many pairs the final model held, ``pairs_total`` how many were eligible.
    """

    objective: int
    upper_bound: float
    pairs_considered: int
    pairs_total: int
    pricing_rounds: int
    method: str


@dataclass(frozen=True, slots=True)
class AssignmentResult:
    """The assignment, sorted by (assessment id, expert id), its total affinity and the proof of optimality."""

    assignments: tuple[ExpertAssignment, ...]
    certificate: OptimalityCertificate

    @property
    def objective(self) -> int:
        return sum(a.affinity for a in self.assignments)
