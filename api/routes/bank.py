"""The demo bank site's sign-in, whose token the chat widget passes on to start a conversation.

Mounted only with APP_ENV=demo: a bank's own site issues these tokens in production.
"""
from __future__ import annotations

from typing import List

from fastapi import APIRouter, Depends

from api import schemas
from api.core.config import ApiSettings
from api.deps import client_address, get_gateway, get_guards, get_settings
from api.services import auth
from api.services.gateway import ChatGateway
from api.services.throttle import Guards

router = APIRouter(prefix="/api/bank", tags=["bank site (demo)"], responses=schemas.ERROR_RESPONSES)


@router.post("/login", response_model=schemas.BankSession)
def login(
    body: schemas.BankLogin, gateway: ChatGateway = Depends(get_gateway), settings: ApiSettings = Depends(get_settings),
    guards: Guards = Depends(get_guards), address: str = Depends(client_address),
):
    return gateway.in_unit(
        lambda unit: auth.bank_login(unit.session, settings, guards, body.customer_id, body.password, address))


@router.get("/demo-customers", response_model=List[schemas.DemoCustomer])
def demo_customers(gateway: ChatGateway = Depends(get_gateway)):
    return gateway.in_unit(lambda unit: auth.demo_customers(unit.session))
