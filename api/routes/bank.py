"""The demo bank site's sign-in, whose token the chat widget passes on to start a conversation."""
from __future__ import annotations

from typing import List

from fastapi import APIRouter, Depends

from api import schemas
from api.core.config import ApiSettings
from api.deps import get_settings, get_unit
from api.services import auth
from api.services.outbox import Unit

router = APIRouter(prefix="/api/bank", tags=["bank site (demo)"])


@router.post("/login", response_model=schemas.BankSession)
def login(body: schemas.BankLogin, unit: Unit = Depends(get_unit), settings: ApiSettings = Depends(get_settings)):
    return auth.bank_login(unit.session, settings, body.customer_id, body.password)


@router.get("/demo-customers", response_model=List[schemas.DemoCustomer])
def demo_customers(unit: Unit = Depends(get_unit)):
    return auth.demo_customers(unit.session)
