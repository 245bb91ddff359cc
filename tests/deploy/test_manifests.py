"""deploy/ validated offline: Kubernetes schemas, the compose spec, and what they promise.

No cluster or Docker engine runs here, so the manifests are checked against the published
schemas (strict: unknown fields are errors) and against the service's own contract: every
command they run exists, tables are created only by the migrate step, the API is probed
on /health and /ready, and every container asks for resources.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from scheduler.cli import build_parser

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
K8S_FILES = sorted((DEPLOY / "k8s").glob("*.yaml"))


def _k8s_resources() -> list[dict[str, Any]]:
    return [doc for path in K8S_FILES for doc in yaml.safe_load_all(path.read_text()) if doc]


def _containers(resource: dict[str, Any]) -> list[dict[str, Any]]:
    spec = resource["spec"]
    pod = spec["template"]["spec"] if "template" in spec else spec
    containers: list[dict[str, Any]] = pod.get("containers", [])
    return containers


def _commands() -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return set(sub.choices)


@pytest.mark.parametrize("path", K8S_FILES, ids=lambda p: p.name)
def test_kubernetes_manifest_is_valid_against_the_strict_schema(path: Path) -> None:
    for resource in yaml.safe_load_all(path.read_text()):
        kubernetes_validate.validate(resource, "1.30.0", strict=True)


def test_the_kubernetes_validator_rejects_a_broken_manifest() -> None:
    deployment = next(r for r in _k8s_resources() if r["kind"] == "Deployment")
    broken = {**deployment, "spec": {**deployment["spec"], "replicas": "two"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, "1.30.0", strict=True)


def test_kubernetes_has_what_the_service_needs() -> None:
    kinds = {(r["kind"], r["metadata"]["name"]) for r in _k8s_resources()}
    for needed in [
        ("Deployment", "scheduler-api"),
        ("Service", "scheduler-api"),
        ("HorizontalPodAutoscaler", "scheduler-api"),
        ("Job", "scheduler-migrate"),
        ("Deployment", "scheduler-projector"),
        ("Deployment", "scheduler-worker"),
        ("ConfigMap", "scheduler-config"),
        ("Secret", "scheduler-secrets"),
    ]:
        assert needed in kinds


def test_every_scheduler_container_runs_a_real_command_and_asks_for_resources() -> None:
    commands = _commands()
    workloads = [r for r in _k8s_resources() if r["kind"] in {"Deployment", "StatefulSet", "Job"}]
    for resource in workloads:
        for container in _containers(resource):
            assert container["resources"]["requests"], resource["metadata"]["name"]
            command = container.get("command", [])
            if command[:1] == ["scheduler"]:
                assert command[1] in commands, f"{command} is not a scheduler sub-command"


def test_the_api_is_probed_on_health_and_ready() -> None:
    api = next(r for r in _k8s_resources() if r["metadata"]["name"] == "scheduler-api")
    (container,) = _containers(api)
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready?require=store"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"


def test_only_the_migrate_step_creates_tables() -> None:
    config = next(r for r in _k8s_resources() if r["kind"] == "ConfigMap")
    assert config["data"]["CREATE_TABLE"] == "n"
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    for name, service in compose["services"].items():
        command = service.get("command", [])
        if command[:1] == ["scheduler"] and command[1] != "migrate":
            assert service["environment"]["CREATE_TABLE"] == "n", name
            assert service["depends_on"]["migrate"]["condition"] == (
                "service_completed_successfully"
            )


def test_compose_file_is_valid_against_the_compose_spec() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(DEPLOY / "compose.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_two_api_replicas_a_projector_and_a_worker_with_health_checks() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["projector"]["command"] == ["scheduler", "project"]
    assert services["worker"]["command"] == ["scheduler", "worker"]
    for name in ("postgres", "redis", "api"):
        assert services[name]["healthcheck"]["test"], name
    commands = _commands()
    for service in services.values():
        command = service.get("command", [])
        if command[:1] == ["scheduler"]:
            assert command[1] in commands
