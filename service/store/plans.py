"""Saved plans, always read and written within one team."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from service.store.tables import PlanRow


def add_plan(session: Session, row: PlanRow) -> PlanRow:
    """Store a plan."""
    session.add(row)
    session.flush()
    return row


def get_plan(session: Session, team: str, plan_id: str) -> PlanRow | None:
    """A team's plan by id; another team's plan is None, as if it did not exist."""
    return session.scalar(
        select(PlanRow).where(PlanRow.id == plan_id, PlanRow.team == team)
    )


def list_plans(
    session: Session, team: str, *, limit: int, offset: int
) -> tuple[list[PlanRow], int]:
    """A page of a team's plans, newest first."""
    total = session.scalar(
        select(func.count()).select_from(PlanRow).where(PlanRow.team == team)
    )
    rows = session.scalars(
        select(PlanRow)
        .where(PlanRow.team == team)
        .order_by(PlanRow.created_at.desc(), PlanRow.id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total or 0


def delete_plan(session: Session, team: str, plan_id: str) -> bool:
    """Delete a team's plan; say whether there was one."""
    result = session.execute(
        delete(PlanRow).where(PlanRow.id == plan_id, PlanRow.team == team)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
