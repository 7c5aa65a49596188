"""Projects of funded applications: the agreement, milestones, payments, the supplier's delivery, the completion
inspection, the outcome follow-up and the clawback of paid support.

Rules decided here (and shown to people in the pages):

- **Agreement.** An operator agrees a project for an application whose *current* decision is FUNDED, final or
  not: a funded decision cannot be appealed (see :mod:`.appeals_service`), so no appeal can take it away. The
  government share is the application's request; the company share is its own funds plus a co-funder's. The
  plan's schedule becomes the milestones.
- **States.** AGREED → IN_PROGRESS (the first payment or completed milestone) → DELIVERED (the company says the
  supplier has delivered) → COMPLETED (the inspection passed) or back to IN_PROGRESS (failed, with the
  inspector's note). An operator may terminate any project not completed. A terminated project takes no
  payments, milestones or delivery; a completed one still takes payments (the final instalment) and outcomes.
- **Payments.** A payer's total never exceeds its share of the agreement: the payment that would is refused with
  both amounts, and nothing changes.
- **Inspection.** An operator assigns an available expert who has no conflict of interest with the organization
  and does not work for the supplier; only that expert inspects (anyone else is refused and audited), and only
  after delivery.
- **Outcomes.** Achieved values for every target KPI of the plan; each is met or not against its target, higher
  being better when the target is above the baseline and lower when below (equal: productivity and delivery
  higher, quality and cost lower).
- **Clawback.** Against an active CLAWBACK sanction of the project's organization, at most the government
  support paid less earlier clawbacks (and, where the sanction names an amount, at most what is left of it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from midas.assessment import AffiliationKind, Expert, ExpertAffiliation
from midas.audit import record, record_refusal
from midas.auth import Actor, Permission
from midas.db import utc_now
from midas.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Problem
from midas.paging import Page
from midas.registry import Organization
from midas.support.appeals_service import SEOUL, conflicted_experts, expert_of
from midas.support.enums import (
    PROJECT_STATUS_LABELS,
    DecisionOutcome,
    MilestoneStatus,
    PayerKind,
    ProjectStatus,
    SanctionKind,
    TrackKind,
)
from midas.support.models import (
    ProjectClawback,
    ProjectMilestone,
    ProjectPayment,
    SanctionRecord,
    SupportApplication,
    SupportDecision,
    SupportProject,
    SupportRound,
    SupportTrack,
)
from midas.support.notifications_service import notify
from midas.support.sanctions_service import active_sanctions

KPI_KEYS: tuple[str, ...] = ("productivity", "quality", "cost", "delivery")
KPI_LABELS: dict[str, str] = {
    "productivity": "Productivity",
    "quality": "Quality (defect rate)",
    "cost": "Cost",
    "delivery": "Delivery",
}
# Where the plan's baseline equals its target, the direction the KPI usually improves in.
HIGHER_IS_BETTER: dict[str, bool] = {"productivity": True, "quality": False, "cost": False, "delivery": True}
OPEN_STATES = frozenset({ProjectStatus.AGREED, ProjectStatus.IN_PROGRESS, ProjectStatus.DELIVERED})
MIN_TEXT = 5
MAX_TEXT = 1000
MAX_KRW = 10**15
EXCEEDS_GOVERNMENT = ("A payment exceeding the agreement: {amount} KRW would bring the government share paid to "
                      "{total} KRW, above the agreed {agreed} KRW")
EXCEEDS_COMPANY = ("A payment exceeding the agreement: {amount} KRW would bring the company share paid to "
                   "{total} KRW, above the agreed {agreed} KRW")

PROJECTS_PAGE_SIZE = 50
MAX_PROJECTS_PAGE_SIZE = 500


def seoul_today() -> date:
    return datetime.now(SEOUL).date()


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


class _Problems:
    """Collects the problems of one input, each at its field; raises them together."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, field: str, message: str, params: Mapping[str, str | int | float | None] | None = None) -> None:
        self.items.append(Problem(field, message, dict(params or {})))

    def check(self) -> None:
        if self.items:
            raise InvalidInput(self.items)

    def day(self, field: str, value: object, *, required: bool = True) -> date | None:
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = _text(value)
        if not text:
            if required:
                self.add(field, "This field is required")
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.add(field, "Enter a date as YYYY-MM-DD, not {value}", {"value": text[:40]})
            return None

    def text(self, field: str, value: object, *, minimum: int = MIN_TEXT, maximum: int = MAX_TEXT) -> str:
        text = _text(value)
        if len(text) < minimum or len(text) > maximum:
            self.add(field, "Write {min} to {max} characters here (this has {length})",
                     {"min": minimum, "max": maximum, "length": len(text)})
        return text

    def krw(self, field: str, value: object) -> int | None:
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.strip().replace(",", "").isdigit():
            number = int(value.strip().replace(",", ""))
        if number is None or not 0 < number <= MAX_KRW:
            self.add(field, "Enter an amount in whole won above 0, not {value}", {"value": str(value)[:30]})
            return None
        return number

    def identifier(self, field: str, value: object, *, required: bool) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(field, "This field is required")
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        if isinstance(value, str) and value.strip().isdigit() and int(value.strip()) > 0:
            return int(value.strip())
        self.add(field, "Enter a whole number, not {value}", {"value": str(value)[:30]})
        return None


# Reading ------------------------------------------------------------------------------------------------------


def _project(session: Session, project_id: int) -> SupportProject:
    project = session.get(SupportProject, project_id)
    if project is None:
        raise NotFound("No project with id {id}", {"id": project_id})
    return project


def _is_member(actor: Actor, project: SupportProject) -> bool:
    return actor.can(Permission.SUPPORT_APPLY) and actor.organization_id == project.organization_id


def _is_inspector(session: Session, actor: Actor, project: SupportProject) -> bool:
    if project.inspector_expert_id is None or not actor.can(Permission.SUPPORT_REVIEW):
        return False
    expert = expert_of(session, actor)
    return expert is not None and expert.id == project.inspector_expert_id


def get_project(session: Session, *, actor: Actor, project_id: int) -> SupportProject:
    """One project: for operators and auditors, the organization's members and the assigned inspector."""
    project = _project(session, project_id)
    if actor.can(Permission.SUPPORT_VIEW_ALL) or _is_member(actor, project) or _is_inspector(session, actor, project):
        return project
    raise NotFound("No project with id {id}", {"id": project_id})


def _company_or_operator(actor: Actor, project: SupportProject) -> None:
    """Members of the project's organization or operators; to other members the project does not exist."""
    if actor.can(Permission.SUPPORT_MANAGE) or _is_member(actor, project):
        return
    if actor.can(Permission.SUPPORT_APPLY):
        raise NotFound("No project with id {id}", {"id": project.id})
    raise PermissionDenied("Only the company's members or an operator may do this on project {id}",
                           {"id": project.id})


def _require_state(project: SupportProject, allowed: Collection[ProjectStatus], message: str) -> None:
    if project.status not in allowed:
        raise Conflict(message, {"id": project.id, "status": PROJECT_STATUS_LABELS[project.status]})


@dataclass(frozen=True, slots=True)
class ProjectList:
    """A page of the filtered projects and the count of each status among all the actor may see."""

    page: Page[SupportProject]
    counts: dict[ProjectStatus, int]

    @property
    def items(self) -> Sequence[SupportProject]:
        return self.page.items


def parse_status(value: str | None) -> ProjectStatus | None:
    text = (value or "").strip().lower()
    if not text:
        return None
    try:
        return ProjectStatus(text)
    except ValueError:
        raise InvalidInput.single("status", "Unknown project status {value}", {"value": text[:40]}) from None


def list_projects(session: Session, *, actor: Actor, status: str | ProjectStatus | None = None,
                  round_ref: str | None = None, page: int = 1, page_size: int = PROJECTS_PAGE_SIZE) -> ProjectList:
    """Projects, newest first, a page at a time: all for operators and auditors, the organization's own for
    members; filtered by status and by round (its code or id)."""
    base = select(SupportProject).join(SupportApplication, SupportApplication.id == SupportProject.application_id)
    if not actor.can(Permission.SUPPORT_VIEW_ALL):
        if not actor.can(Permission.SUPPORT_APPLY) or actor.organization_id is None:
            raise PermissionDenied("You do not have the permission {permission}",
                                   {"permission": str(Permission.SUPPORT_VIEW_ALL)})
        base = base.where(SupportProject.organization_id == actor.organization_id)
    state = status if isinstance(status, ProjectStatus) else parse_status(status)
    reference = (round_ref or "").strip()
    if reference:
        condition = SupportRound.code == reference
        if reference.isdigit():
            condition = condition | (SupportRound.id == int(reference))
        support_round = session.scalar(select(SupportRound).where(condition))
        if support_round is None:
            raise InvalidInput.single("round", "No support round {value}", {"value": reference[:40]})
        base = base.where(SupportApplication.round_id == support_round.id)
    counts = Counter({row[0]: int(row[1]) for row in session.execute(
        base.with_only_columns(SupportProject.status, func.count()).group_by(SupportProject.status))})
    query = base if state is None else base.where(SupportProject.status == state)
    total = sum(counts.values()) if state is None else counts.get(state, 0)
    page_size = max(1, min(page_size, MAX_PROJECTS_PAGE_SIZE))
    page = max(1, min(page, max(1, -(-total // page_size))))
    items = session.scalars(query.options(selectinload(SupportProject.application)
                                          .selectinload(SupportApplication.organization))
                            .order_by(SupportProject.agreed_at.desc(), SupportProject.id.desc())
                            .limit(page_size).offset((page - 1) * page_size)).all()
    return ProjectList(page=Page(items, total, page, page_size), counts={s: counts.get(s, 0) for s in ProjectStatus})


def my_inspections(session: Session, *, actor: Actor) -> Sequence[SupportProject]:
    """The projects the signed-in expert inspects: delivered ones (waiting for them) first."""
    actor.require(Permission.SUPPORT_REVIEW)
    expert = expert_of(session, actor)
    if expert is None:
        return []
    projects = session.scalars(select(SupportProject).where(SupportProject.inspector_expert_id == expert.id)
                               .options(selectinload(SupportProject.application))
                               .order_by(SupportProject.id)).all()
    return sorted(projects, key=lambda p: (p.status is not ProjectStatus.DELIVERED, p.id))


@dataclass(frozen=True, slots=True)
class PayerProgress:
    payer: PayerKind
    agreed: int
    paid: int

    @property
    def percent(self) -> float:
        return round(100 * self.paid / self.agreed, 1) if self.agreed else 0.0


@dataclass(frozen=True, slots=True)
class ProjectView:
    """A project with the figures its page shows and what the viewer may do."""

    project: SupportProject
    progress: tuple[PayerProgress, ...]
    clawed_back: int
    clawback_room: int
    inspector: Expert | None
    supplier: Organization | None
    role: str  # operator, auditor, company, inspector
    target_kpis: dict[str, dict[str, Any]]


def paid_total(project: SupportProject, payer: PayerKind) -> int:
    return sum(p.amount_krw for p in project.payments if p.payer is payer)


def clawed_total(project: SupportProject) -> int:
    return sum(c.amount_krw for c in project.clawbacks)


def view_project(session: Session, *, actor: Actor, project_id: int) -> ProjectView:
    """A project as its page shows it: payments against the agreement per payer, clawbacks, the inspector."""
    project = get_project(session, actor=actor, project_id=project_id)
    if actor.can(Permission.SUPPORT_MANAGE):
        role = "operator"
    elif actor.can(Permission.SUPPORT_VIEW_ALL):
        role = "auditor"
    elif _is_member(actor, project):
        role = "company"
    else:
        role = "inspector"
    progress = (PayerProgress(PayerKind.GOVERNMENT, project.government_krw, paid_total(project, PayerKind.GOVERNMENT)),
                PayerProgress(PayerKind.COMPANY, project.company_krw, paid_total(project, PayerKind.COMPANY)))
    clawed = clawed_total(project)
    inspector = session.get(Expert, project.inspector_expert_id) if project.inspector_expert_id else None
    supplier = session.get(Organization, project.supplier_id) if project.supplier_id else None
    return ProjectView(project=project, progress=progress, clawed_back=clawed,
                       clawback_room=progress[0].paid - clawed, inspector=inspector, supplier=supplier, role=role,
                       target_kpis=target_kpis(project.application))


def target_kpis(application: SupportApplication) -> dict[str, dict[str, Any]]:
    """The plan's target KPIs, in the order productivity, quality, cost, delivery."""
    targets = application.plan.get("target_kpis")
    if not isinstance(targets, dict):
        return {}
    return {key: dict(targets[key]) for key in KPI_KEYS if isinstance(targets.get(key), dict)}


# The agreement ------------------------------------------------------------------------------------------------


def current_decision(session: Session, application_id: int) -> SupportDecision | None:
    return session.scalar(select(SupportDecision)
                          .where(SupportDecision.application_id == application_id,
                                 SupportDecision.is_current.is_(True))
                          .order_by(SupportDecision.decided_at.desc(), SupportDecision.id.desc()).limit(1))


def _schedule(p: _Problems, application: SupportApplication) -> list[tuple[str, date]]:
    schedule = application.plan.get("schedule")
    steps: list[tuple[str, date]] = []
    for index, step in enumerate(schedule if isinstance(schedule, list) else []):
        if not isinstance(step, dict):
            continue
        title = _text(step.get("title"))[:200]
        due = p.day(f"plan.schedule[{index}].due_on", step.get("due_on"))
        if title and due is not None:
            steps.append((title, due))
    return steps


def create_project(session: Session, *, actor: Actor, application_id: int, starts_on: object, ends_on: object,
                   supplier_id: object = None) -> SupportProject:
    """Agree the project of a funded application (see the module's rules); audited, and the company notified."""
    actor.require(Permission.SUPPORT_MANAGE)
    application = session.get(SupportApplication, application_id)
    if application is None:
        raise NotFound("No application with id {id}", {"id": application_id})
    decision = current_decision(session, application.id)
    if decision is None or decision.outcome is not DecisionOutcome.FUNDED:
        raise Conflict("Application {id} has no current funded decision; a project is agreed only for a funded "
                       "application", {"id": application.id})
    existing = session.scalar(select(SupportProject.id).where(SupportProject.application_id == application.id))
    if existing is not None:
        raise Conflict("Application {id} has a project already (project {project_id})",
                       {"id": application.id, "project_id": existing})
    p = _Problems()
    start = p.day("starts_on", starts_on)
    end = p.day("ends_on", ends_on)
    if start is not None and end is not None and end < start:
        p.add("ends_on", "The project must end on or after its start ({starts_on})", {"starts_on": start.isoformat()})
    supplier = _supplier(session, p, application, supplier_id)
    steps = _schedule(p, application)
    p.check()
    assert start is not None
    assert end is not None
    project = SupportProject(application_id=application.id, organization_id=application.organization_id,
                             supplier_id=supplier, status=ProjectStatus.AGREED,
                             government_krw=application.government_krw,
                             company_krw=application.company_krw + application.co_funder_krw,
                             starts_on=start, ends_on=end)
    session.add(project)
    session.flush()
    for title, due in steps:
        session.add(ProjectMilestone(project_id=project.id, title=title, due_on=due))
    session.flush()
    session.refresh(project, ["milestones"])
    record(session, actor=actor, action="support.project.agreed", object_type="support_project",
           object_id=project.id,
           details={"application_id": application.id, "decision_id": decision.id,
                    "government_krw": project.government_krw, "company_krw": project.company_krw,
                    "starts_on": start.isoformat(), "ends_on": end.isoformat(), "supplier_id": supplier,
                    "milestones": len(steps)})
    notify(session, organization_id=application.organization_id,
           message="The project agreement for application {application_id} is signed: {government} KRW of "
                   "government support",
           params={"application_id": application.id, "government": project.government_krw},
           link=f"/support/projects/{project.id}")
    return project


def _supplier(session: Session, p: _Problems, application: SupportApplication, supplier_id: object) -> int | None:
    chosen = p.identifier("supplier_id", supplier_id, required=False)
    if chosen is None:
        suppliers = application.plan.get("suppliers")
        first = suppliers[0] if isinstance(suppliers, list) and suppliers and isinstance(suppliers[0], dict) else {}
        named = first.get("organization_id")
        return named if isinstance(named, int) and session.get(Organization, named) is not None else None
    if session.get(Organization, chosen) is None:
        p.add("supplier_id", "No organization with id {id}", {"id": chosen})
        return None
    if chosen == application.organization_id:
        p.add("supplier_id", "The supplier must be another organization than the company")
        return None
    return chosen


# Milestones and payments --------------------------------------------------------------------------------------


def _start_work(project: SupportProject) -> None:
    if project.status is ProjectStatus.AGREED:
        project.status = ProjectStatus.IN_PROGRESS


def add_milestone(session: Session, *, actor: Actor, project_id: int, title: object,
                  due_on: object) -> ProjectMilestone:
    """Add a milestone within the project's period (the company or an operator)."""
    project = _project(session, project_id)
    _company_or_operator(actor, project)
    _require_state(project, OPEN_STATES,
                   "Project {id} is completed or terminated; milestones are added only to an open project")
    p = _Problems()
    text = p.text("title", title, minimum=2, maximum=200)
    due = p.day("due_on", due_on)
    if due is not None and not project.starts_on <= due <= project.ends_on:
        p.add("due_on", "The due date must fall within the project, {starts_on} to {ends_on}",
              {"starts_on": project.starts_on.isoformat(), "ends_on": project.ends_on.isoformat()})
    p.check()
    assert due is not None
    milestone = ProjectMilestone(project_id=project.id, title=text, due_on=due)
    session.add(milestone)
    session.flush()
    record(session, actor=actor, action="support.project.milestone_added", object_type="support_project",
           object_id=project.id, details={"milestone_id": milestone.id, "title": text, "due_on": due.isoformat()})
    return milestone


def complete_milestone(session: Session, *, actor: Actor, project_id: int, milestone_id: int,
                       note: object = "") -> ProjectMilestone:
    """Mark a milestone done (the company or an operator); the first one puts an agreed project in progress."""
    project = _project(session, project_id)
    _company_or_operator(actor, project)
    milestone = session.get(ProjectMilestone, milestone_id)
    if milestone is None or milestone.project_id != project.id:
        raise NotFound("Project {id} has no milestone {milestone_id}", {"id": project.id, "milestone_id": milestone_id})
    _require_state(project, OPEN_STATES, "Project {id} is completed or terminated; its milestones can no longer change")
    if milestone.status is MilestoneStatus.DONE:
        raise Conflict("Milestone {title} is done already", {"title": milestone.title})
    text = _text(note)
    if len(text) > MAX_TEXT:
        raise InvalidInput.single("note", "Write at most {max} characters here", {"max": MAX_TEXT})
    milestone.status = MilestoneStatus.DONE
    milestone.done_at = utc_now()
    milestone.note = text
    _start_work(project)
    session.flush()
    record(session, actor=actor, action="support.project.milestone_done", object_type="support_project",
           object_id=project.id, reason=text, details={"milestone_id": milestone.id, "title": milestone.title})
    return milestone


def record_payment(session: Session, *, actor: Actor, project_id: int, payer: object, amount_krw: object,
                   paid_on: object, milestone_id: object = None, note: object = "") -> ProjectPayment:
    """Record a payment of the government's or the company's share; a total beyond the agreement is refused."""
    actor.require(Permission.SUPPORT_MANAGE)
    project = _project(session, project_id)
    _require_state(project, OPEN_STATES | {ProjectStatus.COMPLETED},
                   "Project {id} is terminated; no payment can be recorded on it")
    p = _Problems()
    kind: PayerKind | None = None
    try:
        kind = PayerKind(_text(payer).lower())
    except ValueError:
        p.add("payer", "Choose government or company, not {value}", {"value": _text(payer)[:30]})
    amount = p.krw("amount_krw", amount_krw)
    day = p.day("paid_on", paid_on)
    milestone = p.identifier("milestone_id", milestone_id, required=False)
    if milestone is not None and not any(m.id == milestone for m in project.milestones):
        p.add("milestone_id", "Project {id} has no milestone {milestone_id}",
              {"id": project.id, "milestone_id": milestone})
    text = _text(note)
    if len(text) > 500:
        p.add("note", "Write at most {max} characters here", {"max": 500})
    if kind is not None and amount is not None:
        agreed = project.government_krw if kind is PayerKind.GOVERNMENT else project.company_krw
        total = paid_total(project, kind) + amount
        if total > agreed:
            message = (EXCEEDS_GOVERNMENT if kind is PayerKind.GOVERNMENT else EXCEEDS_COMPANY)
            p.add("amount_krw", message, {"amount": amount, "total": total, "agreed": agreed})
    p.check()
    assert kind is not None
    assert amount is not None
    assert day is not None
    payment = ProjectPayment(project_id=project.id, milestone_id=milestone, payer=kind, amount_krw=amount,
                             paid_on=day, note=text, recorded_by_label=actor.label)
    session.add(payment)
    _start_work(project)
    session.flush()
    session.refresh(project, ["payments"])
    record(session, actor=actor, action="support.project.payment_recorded", object_type="support_project",
           object_id=project.id,
           details={"payment_id": payment.id, "payer": kind.value, "amount_krw": amount,
                    "paid_on": day.isoformat(), "milestone_id": milestone})
    if kind is PayerKind.GOVERNMENT:
        notify(session, organization_id=project.organization_id,
               message="The government paid {amount} KRW to project {id}",
               params={"amount": amount, "id": project.id}, link=f"/support/projects/{project.id}")
    return payment


# Delivery and inspection --------------------------------------------------------------------------------------


def mark_delivered(session: Session, *, actor: Actor, project_id: int) -> SupportProject:
    """The company says the supplier has delivered: the project waits for its completion inspection."""
    actor.require(Permission.SUPPORT_APPLY)
    project = _project(session, project_id)
    if not _is_member(actor, project):
        raise NotFound("No project with id {id}", {"id": project_id})
    _require_state(project, {ProjectStatus.AGREED, ProjectStatus.IN_PROGRESS},
                   "Project {id} is not agreed or in progress, so it cannot be marked delivered")
    previous = project.status
    project.status = ProjectStatus.DELIVERED
    project.delivered_at = utc_now()
    session.flush()
    record(session, actor=actor, action="support.project.delivered", object_type="support_project",
           object_id=project.id, details={"from": previous.value, "supplier_id": project.supplier_id})
    return project


def works_for(session: Session, expert: Expert, organization_id: int, today: date) -> bool:
    """Whether the expert is employed by, directs or owns the organization today."""
    if expert.employer_id == organization_id:
        return True
    affiliations = session.scalars(select(ExpertAffiliation).where(
        ExpertAffiliation.expert_id == expert.id, ExpertAffiliation.organization_id == organization_id)).all()
    return any(_current_staff(a, today) for a in affiliations)


def _current_staff(affiliation: ExpertAffiliation, today: date) -> bool:
    """Employed by, directing or owning the organization today (consulting for it is not working for it)."""
    return (affiliation.kind is not AffiliationKind.CONSULTANT and affiliation.started_on <= today
            and (affiliation.ended_on is None or affiliation.ended_on >= today))


def assign_inspector(session: Session, *, actor: Actor, project_id: int, expert_id: object,
                     today: date | None = None) -> SupportProject:
    """Assign the completion inspector: an available expert who can sign in, without a conflict of interest with
    the organization, not working for the supplier. Reassigning is possible until the inspection is done."""
    actor.require(Permission.SUPPORT_MANAGE)
    project = _project(session, project_id)
    _require_state(project, OPEN_STATES,
                   "Project {id} is completed or terminated; an inspector is assigned only to an open project")
    p = _Problems()
    chosen = p.identifier("expert_id", expert_id, required=True)
    p.check()
    assert chosen is not None
    expert = session.get(Expert, chosen)
    day = today or seoul_today()
    if expert is None:
        raise InvalidInput.single("expert_id", "No expert with id {id}", {"id": chosen})
    if not expert.is_available or expert.user_id is None:
        raise InvalidInput.single("expert_id", "Expert {name} is not available or cannot sign in",
                                  {"name": expert.name})
    if expert.id in conflicted_experts(session, project.organization_id, day):
        raise InvalidInput.single("expert_id", "Expert {name} has a conflict of interest with the company",
                                  {"name": expert.name})
    if project.supplier_id is not None and works_for(session, expert, project.supplier_id, day):
        raise InvalidInput.single("expert_id", "Expert {name} works for the project's supplier", {"name": expert.name})
    previous = project.inspector_expert_id
    project.inspector_expert_id = expert.id
    session.flush()
    record(session, actor=actor, action="support.project.inspector_assigned", object_type="support_project",
           object_id=project.id, details={"expert_id": expert.id, "previous_expert_id": previous})
    return project


def submit_inspection(session: Session, *, actor: Actor, project_id: int, passed: object,
                      note: object) -> SupportProject:
    """The assigned inspector passes (COMPLETED) or fails (back to IN_PROGRESS) a delivered project, with a note.

    Any other expert is refused with :class:`PermissionDenied`, nothing changes, and the refusal is audited.
    """
    actor.require(Permission.SUPPORT_REVIEW)
    project = _project(session, project_id)
    if not _is_inspector(session, actor, project):
        record_refusal(session, actor=actor, action="support.inspection.refused", object_type="support_project",
                       object_id=project_id, reason="not the assigned inspector")
        raise PermissionDenied("You are not the assigned inspector of project {id}", {"id": project_id})
    _require_state(project, {ProjectStatus.DELIVERED},
                   "Project {id} is not delivered; the completion inspection comes after the supplier's delivery")
    p = _Problems()
    verdict = _yes_no(passed)
    if verdict is None:
        p.add("passed", "Say whether the inspection passed")
    text = p.text("note", note)
    p.check()
    project.inspection_passed = verdict
    project.inspection_note = text
    project.inspected_at = utc_now()
    if verdict:
        project.status = ProjectStatus.COMPLETED
        project.completed_at = project.inspected_at
    else:
        project.status = ProjectStatus.IN_PROGRESS
        project.delivered_at = None
    session.flush()
    record(session, actor=actor, action="support.project.inspected", object_type="support_project",
           object_id=project.id, reason=text,
           details={"passed": verdict, "expert_id": project.inspector_expert_id, "status": project.status.value})
    notify(session, organization_id=project.organization_id,
           message=("The completion inspection of project {id} passed: the project is completed" if verdict
                    else "The completion inspection of project {id} did not pass: {note}"),
           params={"id": project.id, "note": text}, link=f"/support/projects/{project.id}")
    return project


def _yes_no(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    return {"true": True, "yes": True, "1": True, "on": True, "false": False, "no": False, "0": False}.get(text)


# Outcomes -----------------------------------------------------------------------------------------------------


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.strip():
        try:
            return float(value.strip().replace(",", ""))
        except ValueError:
            return None
    return None


def kpi_met(kpi: str, baseline: float, target: float, achieved: float) -> tuple[bool, bool]:
    """(higher is better, met): the direction from baseline to target, or the KPI's usual one when equal."""
    higher = target > baseline if target != baseline else HIGHER_IS_BETTER.get(kpi, True)
    return higher, (achieved >= target if higher else achieved <= target)


def record_outcome(session: Session, *, actor: Actor, project_id: int,
                   achieved: Mapping[str, object]) -> SupportProject:
    """The achieved value of every target KPI of the plan, each met or not (the company or an operator)."""
    project = _project(session, project_id)
    _company_or_operator(actor, project)
    _require_state(project, {ProjectStatus.COMPLETED},
                   "Project {id} is not completed; outcomes are followed up once the project is completed")
    targets = target_kpis(project.application)
    if not targets:
        raise Conflict("The plan of project {id} sets no target KPI to follow up", {"id": project.id})
    p = _Problems()
    for key in achieved:
        if key not in targets and _text(achieved[key]):
            p.add(f"achieved.{key}", "The plan sets no target for {kpi}", {"kpi": key[:40]})
    result: dict[str, dict[str, Any]] = {}
    for key, target in targets.items():
        raw = achieved.get(key)
        value = _number(raw)
        baseline, goal = _number(target.get("baseline")), _number(target.get("target"))
        if value is None:
            p.add(f"achieved.{key}", "Enter the achieved value as a number, not {value}",
                  {"value": "" if raw is None else str(raw)[:30]})
            continue
        if baseline is None or goal is None:
            p.add(f"achieved.{key}", "The plan's baseline or target for {kpi} is not a number", {"kpi": key})
            continue
        higher, met = kpi_met(key, baseline, goal, value)
        result[key] = {"baseline": baseline, "target": goal, "achieved": value, "unit": target.get("unit", ""),
                       "higher_is_better": higher, "met": met}
    p.check()
    project.achieved_kpis = result
    project.followed_up_at = utc_now()
    session.flush()
    record(session, actor=actor, action="support.project.outcome_recorded", object_type="support_project",
           object_id=project.id, details={"kpis": result})
    return project


# Clawback and termination -------------------------------------------------------------------------------------


def _terminate(session: Session, actor: Actor, project: SupportProject, reason: str) -> None:
    previous = project.status
    project.status = ProjectStatus.TERMINATED
    project.terminated_reason = reason
    session.flush()
    record(session, actor=actor, action="support.project.terminated", object_type="support_project",
           object_id=project.id, reason=reason, details={"from": previous.value})
    notify(session, organization_id=project.organization_id, message="Project {id} is terminated: {reason}",
           params={"id": project.id, "reason": reason}, link=f"/support/projects/{project.id}")


def apply_clawback(session: Session, *, actor: Actor, project_id: int, sanction_id: object, amount_krw: object,
                   reason: object, terminate: object = False, today: date | None = None) -> ProjectClawback:
    """Demand paid government support back under an active CLAWBACK sanction of the project's organization;
    optionally terminate the project (when it is not completed) in the same step."""
    actor.require(Permission.SUPPORT_MANAGE)
    project = _project(session, project_id)
    p = _Problems()
    day = today or seoul_today()
    chosen = p.identifier("sanction_id", sanction_id, required=True)
    sanction = session.get(SanctionRecord, chosen) if chosen is not None else None
    if chosen is not None and sanction is None:
        p.add("sanction_id", "No sanction with id {id}", {"id": chosen})
    elif sanction is not None:
        active = {s.id for s in active_sanctions(session, organization_id=project.organization_id, on=day,
                                                 kinds=frozenset({SanctionKind.CLAWBACK}))}
        if sanction.organization_id != project.organization_id:
            p.add("sanction_id", "Sanction {id} is not on the project's organization", {"id": sanction.id})
        elif sanction.kind is not SanctionKind.CLAWBACK:
            p.add("sanction_id", "Sanction {id} does not require a clawback", {"id": sanction.id})
        elif sanction.id not in active:
            p.add("sanction_id", "Sanction {id} is not in force on {date}", {"id": sanction.id,
                                                                            "date": day.isoformat()})
    amount = p.krw("amount_krw", amount_krw)
    text = p.text("reason", reason)
    stop = _yes_no(terminate) if terminate not in (None, "") else False
    if stop is None:
        p.add("terminate", "Say whether the project is terminated too")
    if stop and project.status not in OPEN_STATES:
        p.add("terminate", "Project {id} is completed or terminated already and cannot be terminated",
              {"id": project.id, "status": PROJECT_STATUS_LABELS[project.status]})
    if amount is not None:
        room = paid_total(project, PayerKind.GOVERNMENT) - clawed_total(project)
        if amount > room:
            p.add("amount_krw", "A clawback of {amount} KRW exceeds the government support paid less earlier "
                                "clawbacks: {room} KRW", {"amount": amount, "room": room})
        elif sanction is not None and sanction.clawback_krw > 0:
            taken = session.scalar(select(func.coalesce(func.sum(ProjectClawback.amount_krw), 0))
                                   .where(ProjectClawback.sanction_id == sanction.id)) or 0
            if taken + amount > sanction.clawback_krw:
                p.add("amount_krw", "Sanction {id} requires {required} KRW back, of which {taken} KRW is demanded "
                                    "already", {"id": sanction.id, "required": sanction.clawback_krw,
                                                "taken": int(taken)})
    p.check()
    assert sanction is not None
    assert amount is not None
    clawback = ProjectClawback(project_id=project.id, sanction_id=sanction.id, amount_krw=amount, reason=text,
                               recorded_by_label=actor.label)
    session.add(clawback)
    session.flush()
    session.refresh(project, ["clawbacks"])
    record(session, actor=actor, action="support.project.clawback", object_type="support_project",
           object_id=project.id, reason=text,
           details={"clawback_id": clawback.id, "sanction_id": sanction.id, "amount_krw": amount,
                    "terminated": bool(stop)})
    notify(session, organization_id=project.organization_id,
           message="{amount} KRW of the support paid to project {id} is to be returned: {reason}",
           params={"amount": amount, "id": project.id, "reason": text}, link=f"/support/projects/{project.id}")
    if stop:
        _terminate(session, actor, project, text)
    return clawback


def terminate_project(session: Session, *, actor: Actor, project_id: int, reason: object) -> SupportProject:
    """End a project that is not completed, saying why; audited, and the company notified."""
    actor.require(Permission.SUPPORT_MANAGE)
    project = _project(session, project_id)
    p = _Problems()
    text = p.text("reason", reason)
    p.check()
    _require_state(project, OPEN_STATES, "Project {id} is completed or terminated already and cannot be terminated")
    _terminate(session, actor, project, text)
    return project


def clawback_sanctions(session: Session, *, actor: Actor, project_id: int,
                       today: date | None = None) -> Sequence[SanctionRecord]:
    """The active CLAWBACK sanctions of the project's organization (to choose one on the page)."""
    actor.require(Permission.SUPPORT_MANAGE)
    project = _project(session, project_id)
    return active_sanctions(session, organization_id=project.organization_id, on=today or seoul_today(),
                            kinds=frozenset({SanctionKind.CLAWBACK}))


def inspector_choices(session: Session, *, actor: Actor, project_id: int,
                      today: date | None = None) -> Sequence[Expert]:
    """Experts who may inspect the project (available, can sign in, no conflict, not the supplier's)."""
    actor.require(Permission.SUPPORT_MANAGE)
    project = _project(session, project_id)
    day = today or seoul_today()
    conflicted = conflicted_experts(session, project.organization_id, day)
    experts = session.scalars(select(Expert).where(Expert.is_available.is_(True), Expert.user_id.is_not(None))
                              .order_by(Expert.name, Expert.id)).all()
    supplier_staff: set[int] = set()
    if project.supplier_id is not None:
        supplier_staff = {e.id for e in experts if e.employer_id == project.supplier_id}
        supplier_staff |= {a.expert_id for a in session.scalars(select(ExpertAffiliation).where(
            ExpertAffiliation.organization_id == project.supplier_id)) if _current_staff(a, day)}
    return [e for e in experts if e.id not in conflicted and e.id not in supplier_staff]


# What the KPI engine needs of a project ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutcomeSubject:
    """A project as the outcome measurement sees it: whose factories, when it ran, its groups and its targets."""

    project_id: int
    organization_id: int
    factory_id: int | None  # the factory the application named; None: all the organization's factories
    title: str
    status: ProjectStatus
    starts_on: date
    completed_on: date | None
    track: TrackKind
    year: int
    region_code: str
    ksic_division: str
    target_kpis: Mapping[str, Any]


def outcome_subjects(session: Session, *, actor: Actor, project_ids: Collection[int] | None = None,
                     completed_only: bool = False) -> list[OutcomeSubject]:
    """The projects whose outcome is measured (all of them, or those named), as the KPI engine reads them.
    Operators and auditors read every project; a member reads only the organization's own."""
    query = (select(SupportProject, SupportApplication, SupportTrack.kind, SupportRound.year, Organization)
             .join(SupportApplication, SupportApplication.id == SupportProject.application_id)
             .join(SupportTrack, SupportTrack.id == SupportApplication.track_id)
             .join(SupportRound, SupportRound.id == SupportApplication.round_id)
             .join(Organization, Organization.id == SupportProject.organization_id)
             .order_by(SupportProject.id))
    if not actor.can(Permission.SUPPORT_VIEW_ALL):
        if actor.organization_id is None:
            raise PermissionDenied("You do not have the permission {permission}",
                                   {"permission": str(Permission.SUPPORT_VIEW_ALL)})
        query = query.where(SupportProject.organization_id == actor.organization_id)
    if project_ids is not None:
        query = query.where(SupportProject.id.in_(list(project_ids)))
    if completed_only:
        query = query.where(SupportProject.status == ProjectStatus.COMPLETED)
    return [OutcomeSubject(
        project_id=project.id, organization_id=project.organization_id, factory_id=application.factory_id,
        title=application.title, status=project.status, starts_on=project.starts_on,
        completed_on=(project.completed_at.astimezone(SEOUL).date() if project.completed_at else None),
        track=kind, year=year, region_code=organization.region_code, ksic_division=organization.ksic_code[:2],
        target_kpis=dict((application.plan or {}).get("target_kpis") or {}))
        for project, application, kind, year, organization in session.execute(query).all()]
