"""The supervisors' dashboard: the figures of a date range, and the contact log as CSV."""
from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlalchemy.engine import Engine

from api import schemas
from api.deps import get_unit, require_supervisor
from api.routes.params import DateFrom, DateTo
from api.services import workbench
from api.services.outbox import Unit
from bot.data.models import AgentAccount
from bot.services import dashboard

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"], responses=schemas.ERROR_RESPONSES)
Supervisor = Depends(require_supervisor)
Work = Depends(get_unit)


@router.get("/figures")
def figures(
    date_from: DateFrom = None, date_to: DateTo = None, supervisor: AgentAccount = Supervisor, unit: Unit = Work,
    tracker: Engine = Depends(workbench.get_tracker),
) -> dict:
    first, last = workbench.date_range(date_from, date_to)
    return dashboard.figures(unit.session, tracker, first, last)


@router.get("/contact-log.csv", response_class=Response)
def contact_log_csv(
    date_from: DateFrom = None, date_to: DateTo = None, supervisor: AgentAccount = Supervisor, unit: Unit = Work,
) -> Response:
    first, last = workbench.date_range(date_from, date_to)
    body = dashboard.contact_log_csv(unit.session, first, last)
    filename = f"contact-log-{first.isoformat()}-{last.isoformat()}.csv"
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})

