"""docker-compose.yml is valid Compose and names only things Muster has (no Docker engine needed)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from settings import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
VENV_BIN = Path(sys.executable).parent


def _services() -> dict[str, dict[str, Any]]:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def _ours() -> dict[str, dict[str, Any]]:
    """The services that run Muster's own image."""
    return {name: service for name, service in _services().items() if service.get("image") == "muster:latest"}


def test_compose_file_matches_the_compose_specification():
    checker = shutil.which("check-jsonschema", path=str(VENV_BIN)) or "check-jsonschema"
    result = subprocess.run(  # noqa: S603 - a fixed command
        [checker, "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _dockerfile_command() -> list[str]:
    line = next(line for line in (PROJECT_ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD "))
    return yaml.safe_load(line.removeprefix("CMD "))


def test_every_command_of_our_services_runs_something_muster_has():
    commands = {name: service.get("command", _dockerfile_command()) for name, service in _ours().items()}
    assert {"portal", "worker", "migrate"} <= set(commands)
    for name, command in commands.items():
        program, *arguments = command
        if program == "python" and arguments[0] == "-m":
            assert importlib.util.find_spec(arguments[1]) is not None, (name, arguments[1])
        elif program == "python":
            assert (PROJECT_ROOT / arguments[0]).is_file(), (name, arguments[0])
        else:  # a console script Muster's dependencies install, run from the project (alembic.ini)
            assert (VENV_BIN / program).is_file(), (name, program)
            assert (PROJECT_ROOT / f"{program}.ini").is_file(), name


def test_the_portal_health_check_asks_a_route_the_portal_has():
    from portal.app import create_app

    check = _ours()["portal"]["healthcheck"]["test"]
    assert check[:3] == ["CMD", "python", "-c"]
    compile(check[3], "healthcheck", "exec")  # the inline program is Python
    path = re.search(r"http://127\.0\.0\.1:8000(/[a-z]+)", check[3])
    assert path is not None
    assert path.group(1) in {route.path for route in create_app().routes}


def test_every_muster_variable_a_service_sets_is_one_settings_reads():
    read = set(re.findall(r'"(MUSTER_[A-Z0-9_]+)"', (PROJECT_ROOT / "settings.py").read_text()))
    # Variables compose itself fills into the file (the domain for caddy) are not meant for Muster.
    interpolated_only = set(re.findall(r"\$\{(MUSTER_[A-Z0-9_]+)", COMPOSE.read_text())) - read
    set_for_muster = {name for service in _ours().values() for name in service.get("environment", {})}
    env_example = PROJECT_ROOT / ".env.example"
    set_for_muster |= set(re.findall(r"^#?\s*(MUSTER_[A-Z0-9_]+)=", env_example.read_text(), re.MULTILINE))
    unknown = {name for name in set_for_muster if name.startswith("MUSTER_")} - read - interpolated_only
    assert not unknown, unknown
    assert {"MUSTER_PORTAL_METRICS_ADDRESS", "MUSTER_PORTAL_PROCESSES"} <= set(_ours()["portal"]["environment"])
    assert "MUSTER_WORKER_METRICS_ADDRESS" in _ours()["worker"]["environment"]
