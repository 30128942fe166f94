"""The pages (widget, agent console, trainer workbench, dashboard) and their assets, written by the page author under api/static/."""
from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from starlette.exceptions import HTTPException


def pages_router(static_dir: Path) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    def page(name: str) -> FileResponse:
        path = static_dir / name
        if not path.is_file():
            raise HTTPException(404, "页面不存在。")
        return FileResponse(path, media_type="text/html; charset=utf-8")

    @router.get("/")
    def widget_page() -> FileResponse:
        return page("index.html")

    @router.get("/agent")
    def agent_page() -> FileResponse:
        return page("agent.html")

    @router.get("/trainer")
    def trainer_page() -> FileResponse:
        return page("trainer.html")

    @router.get("/dashboard")
    def dashboard_page() -> FileResponse:
        return page("dashboard.html")

    return router
