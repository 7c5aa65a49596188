"""Independent expert capability assessment: the first point of MIDAS 2027.

The pure building blocks stand today, each a subpackage with its own public API and no database or web code:

- ``frameworks``: capability frameworks as versioned data (the KS X 9001-3 style smart-factory levels and a
  SIRI-style readiness index), validated on load, and scoring (items → areas → overall → maturity level,
  self vs expert gaps).
- ``assignment``: the exact optimal assignment of independent experts to assessments under conflicts, load
  limits and the employer and own-region rules, with a greedy baseline and decline handling.
- ``reliability``: Krippendorff's ordinal alpha with a bootstrap interval, expert calibration
  (leniency/severity, consistency), reconciliation triggers and distributions for operators.

On top of them stand the tables (:mod:`.models`), the services split by noun (``framework_service``,
``pool_service``, ``rounds_service``, ``scoring_service``, ``reliability_service``), the JSON API and pages for
operators, experts and companies, and ``midas assessment``.
"""

from midas.assessment.assignment import (
    AssessmentNeed,
    AssignmentProblem,
    ConflictPair,
    ExpertProfile,
    affinity,
    greedy_assignment,
    solve_assignment,
)
from midas.assessment.enums import (
    AffiliationKind,
    AssessmentStatus,
    AssignmentStatus,
    ConflictKind,
    ConflictSource,
    RelationKind,
    RoundStatus,
)
from midas.assessment.framework_service import framework_of, store_shipped_frameworks
from midas.assessment.frameworks import Framework, score
from midas.assessment.models import (
    Assessment,
    AssessmentRound,
    ConflictOfInterest,
    Expert,
    ExpertAffiliation,
    ExpertAssignment,
    FrameworkVersion,
    OrganizationRelation,
    ScoreSheet,
)
from midas.assessment.pool_service import (
    TECHNOLOGIES,
    TECHNOLOGY_LABELS,
    active_conflict_pairs,
    detect_conflicts,
    find_conflicts,
)
from midas.assessment.rounds_service import assignment_summary

__all__ = [
    "TECHNOLOGIES",
    "TECHNOLOGY_LABELS",
    "AffiliationKind",
    "Assessment",
    "AssessmentNeed",
    "AssessmentRound",
    "AssessmentStatus",
    "AssignmentProblem",
    "AssignmentStatus",
    "ConflictKind",
    "ConflictOfInterest",
    "ConflictPair",
    "ConflictSource",
    "Expert",
    "ExpertAffiliation",
    "ExpertAssignment",
    "ExpertProfile",
    "Framework",
    "FrameworkVersion",
    "OrganizationRelation",
    "RelationKind",
    "RoundStatus",
    "ScoreSheet",
    "active_conflict_pairs",
    "affinity",
    "assignment_summary",
    "detect_conflicts",
    "find_conflicts",
    "framework_of",
    "greedy_assignment",
    "score",
    "solve_assignment",
    "store_shipped_frameworks",
]
