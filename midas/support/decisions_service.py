"""Decisions on support applications: issued for a whole round from its current selection run, made by hand for one
application (an appeal's outcome, a correction), promoted from the waitlist when funds free up, and made final when
the appeal window closes without an appeal.

Every decision keeps its reasons as English message ids with parameters (``{"message", "params"}``; a rejection for
eligibility adds the value the rule saw, ``"seen"``), so a company reads them in Korean or English. A new decision
never overwrites an old one: it supersedes it (``is_current``, ``supersedes_id``).

Waitlist promotion (:func:`promote_waitlist`) funds the waitlisted applications of a track in the order of the
current run's ranking, each one that still fits the track's remaining budget and its region's remaining budget.
Quotas are kept where possible: an application *outside* a quota's regions is passed over when funding it would
leave that quota below its share; an application inside the regions is never passed over for a quota, since it
can only raise the share.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.orm import Session, selectinload

from midas.audit import record
from midas.auth import SYSTEM, Actor, Permission
from midas.db import utc_now
from midas.errors import Conflict, InvalidInput, NotFound
from midas.paging import Page
from midas.support.enums import ApplicationStatus, DecisionOutcome, RoundStatus
from midas.support.models import (
    SelectionEntry,
    SupportAppeal,
    SupportApplication,
    SupportDecision,
    SupportNotification,
    SupportRound,
    SupportTrack,
)
from midas.support.notifications_service import notify
from midas.support.selection_service import current_run, load_round, region_of, require_view

SEOUL = ZoneInfo("Asia/Seoul")
MAX_PAGE_SIZE = 200
PROMOTED = "Promoted from the waitlist: funds freed up"
WAITLIST_POSITION = "Waitlist position {position} in the track"
NOT_ELIGIBLE_UNRECORDED = "The application did not pass the eligibility check"
# Application statuses a decision can be made on (a draft, a submission not yet checked, a withdrawal cannot).
DECIDABLE = frozenset({ApplicationStatus.ELIGIBLE, ApplicationStatus.INELIGIBLE, ApplicationStatus.FUNDED,
                       ApplicationStatus.WAITLISTED, ApplicationStatus.REJECTED})
STATUS_OF: dict[DecisionOutcome, ApplicationStatus] = {
    DecisionOutcome.FUNDED: ApplicationStatus.FUNDED,
    DecisionOutcome.WAITLISTED: ApplicationStatus.WAITLISTED,
    DecisionOutcome.REJECTED: ApplicationStatus.REJECTED,
}
# The notification each outcome sends (English message ids, translated when shown).
NOTICE: dict[DecisionOutcome, str] = {
    DecisionOutcome.FUNDED: "Your application \"{title}\" is funded. You may appeal until {deadline}.",
    DecisionOutcome.WAITLISTED: "Your application \"{title}\" is on the waitlist. You may appeal until {deadline}.",
    DecisionOutcome.REJECTED: "Your application \"{title}\" is not funded. You may appeal until {deadline}.",
}
NOTICE_FINAL = "The decision on your application \"{title}\" is final."


@dataclass(frozen=True, slots=True)
class IssuedDecisions:
    """What issuing a round's decisions did: the counts by outcome and by track."""

    round: SupportRound
    run_id: int
    counts: Mapping[str, int]
    by_track: Mapping[str, Mapping[str, int]]


@dataclass(frozen=True, slots=True)
class TrackDecisions:
    """One track's decisions at a glance: counts by outcome and the government money the funded ones take."""

    track: SupportTrack
    counts: Mapping[str, int]
    funded_krw: int
    remaining_krw: int


@dataclass(frozen=True, slots=True)
class DecisionsOverview:
    round: SupportRound
    tracks: Sequence[TrackDecisions]
    total: int


def _deadline_text(moment: datetime) -> str:
    return moment.astimezone(SEOUL).strftime("%Y-%m-%d %H:%M")


def _now(now: datetime | None) -> datetime:
    return now or utc_now()


# Issuing a round's decisions -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Decidable:
    id: int
    status: ApplicationStatus
    track_id: int
    organization_id: int
    title: str
    eligibility_checks: list[dict[str, Any]] | None


@dataclass(frozen=True, slots=True)
class _RunEntry:
    application_id: int
    rank: int
    funded: bool
    reason: dict[str, Any]


def _failed_checks(application: _Decidable) -> list[dict[str, Any]]:
    """Each failed eligibility rule with the value it saw, as decision reasons."""
    reasons = []
    checks: list[object] = list(application.eligibility_checks or [])
    for check in checks:
        if isinstance(check, Mapping) and check.get("passed") is False:
            reasons.append({"message": str(check.get("label", "")), "params": dict(check.get("params") or {}),
                            "rule": str(check.get("rule", "")), "seen": str(check.get("seen", ""))})
    return reasons or [{"message": NOT_ELIGIBLE_UNRECORDED, "params": {}}]


def issue_decisions(session: Session, *, actor: Actor, round_id: int, now: datetime | None = None) -> IssuedDecisions:
    """Decide every eligible and ineligible application of the round from its current selection run; audited.

    FUNDED and WAITLISTED follow the run (with its reason, and the waitlist position), REJECTED the failed
    eligibility rules. Each decision opens an appeal window of the round's ``appeal_days``; each company is
    notified. Refused (nothing changed) when the round has no current run, when its decisions were already issued,
    or when an eligible application is missing from the run.
    """
    actor.require(Permission.SUPPORT_MANAGE)
    moment = _now(now)
    support_round = load_round(session, round_id, lock=True)
    if support_round.status is RoundStatus.DECIDED:
        raise Conflict("The decisions of round {code} are already issued", {"code": support_round.code})
    run = current_run(session, round_id)
    if support_round.status is not RoundStatus.SELECTED or run is None:
        raise Conflict("Round {code} has no current selection run; run the selection first",
                       {"code": support_round.code})
    # Columns, not objects: a national round decides 25,000 applications.
    applications = [_Decidable(*row) for row in session.execute(
        select(SupportApplication.id, SupportApplication.status, SupportApplication.track_id,
               SupportApplication.organization_id, SupportApplication.title, SupportApplication.eligibility_checks)
        .where(SupportApplication.round_id == round_id,
               SupportApplication.status.in_((ApplicationStatus.ELIGIBLE, ApplicationStatus.INELIGIBLE)))
        .order_by(SupportApplication.id))]
    entries = {row[0]: _RunEntry(*row) for row in session.execute(
        select(SelectionEntry.application_id, SelectionEntry.rank, SelectionEntry.funded, SelectionEntry.reason)
        .where(SelectionEntry.run_id == run.id))}
    unselected = [a.id for a in applications if a.status is ApplicationStatus.ELIGIBLE and a.id not in entries]
    if unselected:
        raise Conflict("{count} eligible applications are not in the current selection run (first: {first}); run "
                       "the selection again", {"count": len(unselected), "first": unselected[0]})
    kinds = {t.id: t.kind.value for t in support_round.tracks}
    positions = _waitlist_positions([entries[a.id] for a in applications if a.id in entries],
                                    {a.id: a.track_id for a in applications})
    deadline = moment + timedelta(days=support_round.appeal_days)
    decisions: list[dict[str, Any]] = []
    statuses: list[dict[str, Any]] = []
    notices: list[dict[str, Any]] = []
    counts: Counter[str] = Counter()
    by_track: dict[str, Counter[str]] = defaultdict(Counter)
    for application in applications:
        entry = entries.get(application.id)
        if application.status is ApplicationStatus.INELIGIBLE:
            outcome, reasons = DecisionOutcome.REJECTED, _failed_checks(application)
        elif entry is not None and entry.funded:
            outcome, reasons = DecisionOutcome.FUNDED, [dict(entry.reason)]
        else:
            assert entry is not None
            outcome = DecisionOutcome.WAITLISTED
            reasons = [dict(entry.reason), {"message": WAITLIST_POSITION,
                                            "params": {"position": positions[application.id]}}]
        decisions.append({"application_id": application.id, "selection_run_id": run.id, "outcome": outcome,
                          "reasons": reasons, "is_final": False, "appeal_deadline": deadline, "is_current": True,
                          "decided_by_label": actor.label, "decided_at": moment})
        statuses.append({"id": application.id, "status": STATUS_OF[outcome], "updated_at": moment})
        notices.append({"organization_id": application.organization_id, "message": NOTICE[outcome],
                        "params": {"title": application.title, "deadline": _deadline_text(deadline)},
                        "link": f"/support/applications/{application.id}", "created_at": moment})
        counts[outcome.value] += 1
        by_track[kinds[application.track_id]][outcome.value] += 1
    # The previous decisions of these applications (none, normally) stop being current.
    ids = [a.id for a in applications]
    for chunk in _chunks(ids):
        session.execute(update(SupportDecision).where(SupportDecision.application_id.in_(chunk),
                                                      SupportDecision.is_current.is_(True)).values(is_current=False))
    if decisions:
        # A national round decides tens of thousands of applications: rows go in as bulk inserts and updates.
        session.execute(insert(SupportDecision), decisions)
        session.execute(update(SupportApplication), statuses)
        session.execute(insert(SupportNotification), notices)
    support_round.status = RoundStatus.DECIDED
    support_round.decided_at = moment
    session.flush()
    record(session, actor=actor, action="support.decisions.issued", object_type="support_round", object_id=round_id,
           reason=f"selection run {run.id}", details={"run_id": run.id, "counts": dict(counts),
                                                      "appeal_deadline": deadline.isoformat()})
    return IssuedDecisions(support_round, run.id, dict(counts), {k: dict(v) for k, v in by_track.items()})


def _chunks(values: list[int], size: int = 900) -> list[list[int]]:
    return [values[i:i + size] for i in range(0, len(values), size)]


def _waitlist_positions(entries: Sequence[_RunEntry], track_of: Mapping[int, int]) -> dict[int, int]:
    """Each unfunded entry's place on its track's waitlist (1 = the first to be promoted)."""
    positions: dict[int, int] = {}
    taken: Counter[int] = Counter()
    for entry in sorted((e for e in entries if not e.funded), key=lambda e: e.rank):
        track = track_of[entry.application_id]
        taken[track] += 1
        positions[entry.application_id] = taken[track]
    return positions


# One application's decision -------------------------------------------------------------------------------------


def _current_decision(session: Session, application_id: int) -> SupportDecision | None:
    return session.scalars(select(SupportDecision).where(SupportDecision.application_id == application_id,
                                                         SupportDecision.is_current.is_(True))
                           .order_by(SupportDecision.id.desc())).first()


def _parse_outcome(outcome: str | DecisionOutcome) -> DecisionOutcome:
    try:
        return DecisionOutcome(str(outcome).strip())
    except ValueError:
        raise InvalidInput.single("outcome", "Unknown outcome {outcome}; known are {known}",
                                  {"outcome": str(outcome), "known": ", ".join(o.value for o in DecisionOutcome)},
                                  ) from None


def _funded_krw(session: Session, track_id: int, *, exclude: int | None = None) -> tuple[int, dict[str, int]]:
    """The government money the track's FUNDED applications take, in all and by region."""
    query = (select(SupportApplication).where(SupportApplication.track_id == track_id,
                                              SupportApplication.status == ApplicationStatus.FUNDED)
             .options(selectinload(SupportApplication.factory), selectinload(SupportApplication.organization)))
    total = 0
    by_region: dict[str, int] = defaultdict(int)
    for application in session.scalars(query):
        if application.id == exclude:
            continue
        total += application.government_krw
        by_region[region_of(application)] += application.government_krw
    return total, dict(by_region)


def _check_fits(session: Session, application: SupportApplication) -> None:
    track = application.track
    used, by_region = _funded_krw(session, track.id, exclude=application.id)
    if application.government_krw > track.budget_krw - used:
        raise Conflict("Funding application {id} needs {requested} KRW; its track has {remaining} KRW left",
                       {"id": application.id, "requested": application.government_krw,
                        "remaining": track.budget_krw - used})
    region = region_of(application)
    budget = next((r.budget_krw for r in track.region_budgets if r.region_code == region), None)
    if budget is not None and application.government_krw > budget - by_region.get(region, 0):
        raise Conflict("Funding application {id} needs {requested} KRW; the budget of region {region} in its track "
                       "has {remaining} KRW left", {"id": application.id, "requested": application.government_krw,
                                                    "region": region,
                                                    "remaining": budget - by_region.get(region, 0)})


def decide_application(session: Session, *, actor: Actor, application_id: int, outcome: str | DecisionOutcome,
                       reasons: Sequence[str], final: bool = False, now: datetime | None = None) -> SupportDecision:
    """A decision made by hand, with its reasons (at least one), superseding the current one; audited, notified.

    ``final`` marks a decision that cannot be appealed (an appeal's outcome); otherwise a new appeal window opens.
    Funding is refused when the application's grant does not fit what its track (and its region) has left.
    """
    actor.require(Permission.SUPPORT_MANAGE)
    moment = _now(now)
    chosen = _parse_outcome(outcome)
    texts = [text.strip() for text in reasons if text and text.strip()]
    if not texts:
        raise InvalidInput.single("reasons", "A decision needs at least one reason")
    if any(len(text) > 1000 for text in texts):
        raise InvalidInput.single("reasons", "A reason can be at most {count} characters long", {"count": 1000})
    application = session.scalars(select(SupportApplication).where(SupportApplication.id == application_id)
                                  .options(selectinload(SupportApplication.track)
                                           .selectinload(SupportTrack.region_budgets))
                                  .with_for_update()).first()
    if application is None:
        raise NotFound("No support application with id {id}", {"id": application_id})
    if application.status not in DECIDABLE:
        raise Conflict("Application {id} is {status}: it cannot be decided",
                       {"id": application_id, "status": application.status.value})
    if chosen is DecisionOutcome.FUNDED and application.status is not ApplicationStatus.FUNDED:
        _check_fits(session, application)
    previous = _current_decision(session, application_id)
    return _decide(session, actor, application, chosen, [{"message": "{text}", "params": {"text": t}} for t in texts],
                   previous, moment, final=final, action="support.decision.made")


def _decide(session: Session, actor: Actor, application: SupportApplication, outcome: DecisionOutcome,
            reasons: list[dict[str, Any]], previous: SupportDecision | None, moment: datetime, *, final: bool,
            action: str) -> SupportDecision:
    if previous is not None:
        previous.is_current = False
    deadline = None if final else moment + timedelta(days=application.round.appeal_days)
    decision = SupportDecision(
        application_id=application.id, selection_run_id=previous.selection_run_id if previous else None,
        outcome=outcome, reasons=reasons, is_final=final, appeal_deadline=deadline,
        supersedes_id=previous.id if previous else None, is_current=True, decided_by_label=actor.label,
        decided_at=moment)
    session.add(decision)
    before = application.status
    application.status = STATUS_OF[outcome]
    session.flush()
    params = {"title": application.title, "deadline": _deadline_text(deadline) if deadline else ""}
    notify(session, organization_id=application.organization_id,
           message=NOTICE_FINAL if final else NOTICE[outcome], params=params,
           link=f"/support/applications/{application.id}")
    record(session, actor=actor, action=action, object_type="support_application", object_id=application.id,
           reason="; ".join(str(r["message"]).format(**r.get("params", {})) for r in reasons),
           details={"decision_id": decision.id, "outcome": outcome.value, "previous_status": before.value,
                    "supersedes": previous.id if previous else None, "final": final})
    return decision


# The waitlist -------------------------------------------------------------------------------------------------


def promote_waitlist(session: Session, *, actor: Actor, track_id: int,
                     now: datetime | None = None) -> list[SupportDecision]:
    """Fund waitlisted applications of the track, in the run's rank order, while they fit the money left; audited.

    Remaining money is the track budget (and each region budget) less the grants of its FUNDED applications. See
    the module docstring for how quotas are kept. Returns the new FUNDED decisions (none when nothing fits).
    """
    actor.require(Permission.SUPPORT_MANAGE)
    moment = _now(now)
    track = session.scalars(select(SupportTrack).where(SupportTrack.id == track_id)
                            .options(selectinload(SupportTrack.region_budgets)).with_for_update()).first()
    if track is None:
        raise NotFound("No support track with id {id}", {"id": track_id})
    support_round = track.round
    if support_round.status is not RoundStatus.DECIDED:
        raise Conflict("The waitlist of round {code} can be promoted only after its decisions are issued",
                       {"code": support_round.code})
    run = current_run(session, support_round.id)
    ranks: dict[int, int] = {} if run is None else dict(session.execute(
        select(SelectionEntry.application_id, SelectionEntry.rank).where(SelectionEntry.run_id == run.id)).all())
    waiting = sorted(session.scalars(
        select(SupportApplication).where(SupportApplication.track_id == track_id,
                                         SupportApplication.status == ApplicationStatus.WAITLISTED)
        .options(selectinload(SupportApplication.factory), selectinload(SupportApplication.organization))),
        key=lambda a: (ranks.get(a.id, len(ranks) + 1), a.id))
    used, by_region = _funded_krw(session, track_id)
    region_budget = {r.region_code: r.budget_krw for r in track.region_budgets}
    quotas = _quota_state(session, track)
    promoted: list[SupportDecision] = []
    for application in waiting:
        grant, region = application.government_krw, region_of(application)
        if grant > track.budget_krw - used:
            continue
        if region in region_budget and grant > region_budget[region] - by_region.get(region, 0):
            continue
        if any(_would_break(quota, region, grant) for quota in quotas):
            continue
        used += grant
        by_region[region] = by_region.get(region, 0) + grant
        for quota in quotas:
            _add(quota, region, grant)
        previous = _current_decision(session, application.id)
        promoted.append(_decide(session, actor, application, DecisionOutcome.FUNDED,
                                [{"message": PROMOTED, "params": {}}], previous, moment, final=False,
                                action="support.decision.promoted"))
    record(session, actor=actor, action="support.waitlist.promoted", object_type="support_track", object_id=track_id,
           reason=PROMOTED, details={"promoted": [d.application_id for d in promoted], "used_krw": used,
                                     "budget_krw": track.budget_krw})
    return promoted


@dataclass(slots=True)
class _QuotaState:
    regions: frozenset[str]
    share: int
    by_amount: bool
    inside: int
    total: int


def _quota_state(session: Session, track: SupportTrack) -> list[_QuotaState]:
    funded = list(session.scalars(select(SupportApplication).where(
        SupportApplication.track_id == track.id, SupportApplication.status == ApplicationStatus.FUNDED)
        .options(selectinload(SupportApplication.factory), selectinload(SupportApplication.organization))))
    states = []
    raw: list[object] = list(track.quotas or [])
    for item in raw:
        if not isinstance(item, Mapping) or not isinstance(item.get("regions"), list):
            continue
        state = _QuotaState(frozenset(str(r) for r in item["regions"]), int(item.get("min_share_percent", 0)),
                            item.get("measure", "amount") == "amount", 0, 0)
        for application in funded:
            _add(state, region_of(application), application.government_krw)
        states.append(state)
    return states


def _add(state: _QuotaState, region: str, grant: int) -> None:
    measure = grant if state.by_amount else 1
    state.total += measure
    if region in state.regions:
        state.inside += measure


def _would_break(state: _QuotaState, region: str, grant: int) -> bool:
    """Funding an application outside the quota's regions that would leave the quota below its share."""
    if region in state.regions:
        return False
    measure = grant if state.by_amount else 1
    return 100 * state.inside < state.share * (state.total + measure)


# Finality -------------------------------------------------------------------------------------------------------


def finalize_decisions(session: Session, *, now: datetime | None = None) -> int:
    """Make final every current decision whose appeal window has passed without an appeal; how many. Idempotent."""
    moment = _now(now)
    appealed = exists().where(SupportAppeal.decision_id == SupportDecision.id)
    due = (SupportDecision.is_current.is_(True), SupportDecision.is_final.is_(False),
           SupportDecision.appeal_deadline.is_not(None), SupportDecision.appeal_deadline < moment, ~appealed)
    ids = list(session.scalars(select(SupportDecision.id).where(*due)))
    if not ids:
        return 0
    for chunk in _chunks(ids):
        session.execute(update(SupportDecision).where(SupportDecision.id.in_(chunk)).values(is_final=True))
    record(session, actor=SYSTEM, action="support.decisions.finalized", object_type="support_decision",
           object_id=ids[0], reason="The appeal window closed without an appeal",
           details={"count": len(ids), "decision_ids": ids[:1000]})
    session.flush()
    return len(ids)


# Reading --------------------------------------------------------------------------------------------------------


def get_decisions_overview(session: Session, *, actor: Actor, round_id: int) -> DecisionsOverview:
    """Per track: current decisions by outcome, the money the funded ones take and what is left."""
    require_view(actor)
    support_round = load_round(session, round_id)
    rows = session.execute(
        select(SupportApplication.track_id, SupportDecision.outcome, func.count(),
               func.coalesce(func.sum(SupportApplication.government_krw), 0))
        .join(SupportApplication, SupportApplication.id == SupportDecision.application_id)
        .where(SupportApplication.round_id == round_id, SupportDecision.is_current.is_(True))
        .group_by(SupportApplication.track_id, SupportDecision.outcome)).all()
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    funded: dict[int, int] = defaultdict(int)
    for track_id, outcome, count, money in rows:
        counts[track_id][DecisionOutcome(outcome).value] = int(count)
        if outcome == DecisionOutcome.FUNDED:
            funded[track_id] += int(money)
    tracks = [TrackDecisions(t, counts.get(t.id, {}), funded[t.id], t.budget_krw - funded[t.id])
              for t in support_round.tracks]
    return DecisionsOverview(support_round, tracks, sum(sum(c.values()) for c in counts.values()))


def list_round_decisions(session: Session, *, actor: Actor, round_id: int, outcome: str | None = None,
                         track_id: int | None = None, page: int = 1, page_size: int = 50) -> Page[SupportDecision]:
    """The round's current decisions, newest first, optionally of one outcome and one track."""
    require_view(actor)
    load_round(session, round_id)
    conditions = [SupportApplication.round_id == round_id, SupportDecision.is_current.is_(True)]
    if outcome:
        conditions.append(SupportDecision.outcome == _parse_outcome(outcome))
    if track_id is not None:
        conditions.append(SupportApplication.track_id == track_id)
    page = max(1, page)
    page_size = min(max(1, page_size), MAX_PAGE_SIZE)
    base = select(SupportDecision).join(SupportApplication,
                                        SupportApplication.id == SupportDecision.application_id).where(*conditions)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    items = list(session.scalars(base.options(
        selectinload(SupportDecision.application).selectinload(SupportApplication.organization),
        selectinload(SupportDecision.application).selectinload(SupportApplication.track))
        .order_by(SupportApplication.track_id, SupportDecision.outcome, SupportApplication.id)
        .offset((page - 1) * page_size).limit(page_size)))
    return Page(items, int(total), page, page_size)
