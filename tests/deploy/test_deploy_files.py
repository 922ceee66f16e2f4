"""The Dockerfile and docker-compose.yml hold what the README's Deploy section promises.

CI cannot build the image (no registry access for the base image), so these read the files:
non-root user, the two processes' commands, healthchecks, PostgreSQL with a named volume.
`make deploy-check` adds hadolint, `docker compose config` and a real build where Docker can.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from app.cli.main import app
from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(
        r"\\\n",
        " ",
        "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")),
    )
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line.strip() else "")
        for line in joined.splitlines()
        if line.strip()
    ]


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return data


def final_stage() -> list[tuple[str, str]]:
    steps = dockerfile()
    last_from = max(i for i, (op, _) in enumerate(steps) if op == "FROM")
    return steps[last_from:]


def test_the_image_is_slim_python_and_runs_as_a_non_root_user() -> None:
    steps = dockerfile()
    args = dict(a.split("=", 1) for op, a in steps if op == "ARG" and "=" in a)
    assert args["PYTHON_IMAGE"].startswith("python:3.11-slim")
    assert [a for op, a in steps if op == "FROM"] == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE}"]
    final = final_stage()
    (user,) = [a for op, a in final if op == "USER"]
    assert user.split(":")[0] not in ("root", "0") and "useradd" in str(final)
    assert [a for op, a in final if op == "CMD"] == ['["paperbot", "run"]']
    (health,) = [a for op, a in final if op == "HEALTHCHECK"]
    assert health.endswith('CMD ["paperbot", "doctor", "--quick"]')


def test_the_semantic_extra_is_a_build_argument_with_torch_cpu() -> None:
    steps = dockerfile()
    args = dict(a.split("=", 1) for op, a in steps if op == "ARG" and "=" in a)
    assert args["EXTRAS"] == '""'
    pinned = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    assert f"torch=={args['TORCH_VERSION']}" in pinned["semantic"]
    (install,) = [a for op, a in steps if op == "RUN" and "pip install" in a]
    assert "download.pytorch.org/whl/cpu" in install and '".[${EXTRAS}]"' in install


def test_the_build_context_holds_exactly_what_the_package_needs() -> None:
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ]
    wanted = {p.rstrip("*") for p in packages["find"]["include"]}
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert "*" in ignore  # everything else stays out of the build context
    assert allowed == wanted | {"pyproject.toml", "README.md"}
    copied = {
        path
        for op, a in dockerfile()
        if op == "COPY" and not a.startswith("--")
        for path in a.split()[:-1]
    }
    assert copied == allowed  # every allowed path is copied into the build stage


def test_compose_runs_postgres_web_and_worker_with_healthchecks() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "web", "worker"}
    pg = services["postgres"]
    assert pg["image"].startswith("postgres:")
    volume = pg["volumes"][0].split(":")[0]
    assert volume in compose()["volumes"]  # a named volume, not a bind mount
    assert "pg_isready" in " ".join(pg["healthcheck"]["test"])
    procfile = dict(
        line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line
    )
    for name in ("web", "worker"):
        service = services[name]
        assert " ".join(service["command"]) == procfile[name]
        assert service["env_file"] == ".env"
        assert service["restart"] == "unless-stopped" == pg["restart"]
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["build"]["args"]["EXTRAS"] == "${PAPERBOT_EXTRAS:-}"
        url = service["environment"]["DATABASE_URL"]
        assert "@postgres:5432/" in url
        normalised = Settings(_env_file=None, database_url=url).database_url  # type: ignore[call-arg]
        assert normalised.startswith("postgresql+psycopg://")
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["worker"]["healthcheck"]["test"] == ["CMD", "paperbot", "doctor", "--quick"]


def test_the_healthcheck_commands_exist() -> None:
    result = CliRunner().invoke(app, ["doctor", "--help"])
    assert result.exit_code == 0 and "--quick" in result.output
    for command in ("serve", "run"):
        assert CliRunner().invoke(app, [command, "--help"]).exit_code == 0


def test_the_worker_healthcheck_passes_on_postgres(pg_schema_url: str) -> None:
    from storage.store import SqlStore

    SqlStore.open(pg_schema_url).close()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env["DATABASE_URL"] = pg_schema_url.replace("postgresql+psycopg://", "postgresql://")
    (cmd,) = [compose()["services"]["worker"]["healthcheck"]["test"][1:]]
    result = subprocess.run(
        [sys.executable, "-m", "app", *cmd[1:]],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok    database: reachable, schema at head" in result.stdout
