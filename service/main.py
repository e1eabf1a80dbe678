"""The ASGI application, as `uvicorn service.main:app` serves it."""

from service.app import create_app

app = create_app()
