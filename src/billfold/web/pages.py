"""The routes of the pages, put together: `/portal/{token}` for the shopper,
`/dashboard…` for the merchant's users, `/static/…` for the files they load (all served
by billfold: the Content-Security-Policy allows nothing from anywhere else)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.staticfiles import StaticFiles

from billfold.web import catalogue, dashboard, operations, portal
from billfold.web.shell import HERE

router = APIRouter(include_in_schema=False)
for part in (portal, dashboard, catalogue, operations):
    router.include_router(part.router)
static = StaticFiles(directory=HERE / "static")
