"""Slack adapter: render.py and inbound.py (pure), adapter.py (Web API), app.py (bolt),
web.py (ASGI for `paperbot serve`), socket.py (Socket Mode), setup.py (assembly)."""
