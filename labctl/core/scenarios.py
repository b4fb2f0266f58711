"""Scenario files: one source of truth per exercise, loaded into a validated model."""

import os
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from labctl.core.errors import ExitCode, LabctlError
from labctl.core.paths import content_dir

Port = Annotated[int, Field(ge=1, le=65535)]
Name = Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]

# Extra folders of scenario files (os.pathsep-separated), searched after the shipped ones.
SCENARIO_PATH_ENV = "LABCTL_SCENARIO_PATH"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Build(_Strict):
    """An image the scenario builds from a context shipped in its role's files/."""

    tag: str
    context: str
    format: str = Field(default="oci", pattern="^(oci|docker)$")


class Resources(_Strict):
    """What the exercise creates, by the course's names: what clean removes and status shows."""

    networks: list[Name] = []
    pods: list[Name] = []
    containers: list[Name] = []
    volumes: list[Name] = []


class Scenario(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str = Field(min_length=1)
    course_ref: str = Field(min_length=1)
    role: str = Field(pattern=r"^[a-z0-9_]+$")
    ports: list[Port] = []
    images: list[str] = []
    builds: list[Build] = []
    resources: Resources
    _source: Path | None = PrivateAttr(default=None)

    @property
    def source(self) -> Path | None:
        """The file the scenario was loaded from."""
        return self._source

    def as_extravar(self) -> dict[str, Any]:
        """The scenario as the playbooks see it (`lab_scenario`)."""
        return self.model_dump(mode="json")


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "(top level)"
    if error["type"] == "extra_forbidden":
        return f"unknown key '{where}'"
    if error["type"] == "missing":
        return f"missing key '{where}'"
    return f"key '{where}': {error['msg'].lower()} (got {error.get('input')!r})"


def load_file(path: Path) -> Scenario:
    """Load and validate one scenario file; any problem is one LabctlError naming the file and key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise LabctlError(f"Cannot read scenario file {path}: {exc.strerror}.", ExitCode.USAGE) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark else ""
        raise LabctlError(f"Scenario file {path} is not valid YAML{line}: fix its syntax.", ExitCode.USAGE) from exc
    if not isinstance(data, dict):
        raise LabctlError(
            f"Scenario file {path} must hold a mapping of keys, not {type(data).__name__}.", ExitCode.USAGE
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors())
        raise LabctlError(f"Scenario file {path}: {problems}.", ExitCode.USAGE) from exc
    if scenario.id != path.stem:
        raise LabctlError(
            f"Scenario file {path}: key 'id' is '{scenario.id}' but the file is named '{path.name}'; make them match.",
            ExitCode.USAGE,
        )
    scenario._source = path
    return scenario


def scenario_dirs() -> list[Path]:
    dirs = [content_dir() / "scenarios"]
    extra = os.environ.get(SCENARIO_PATH_ENV, "")
    dirs += [Path(p) for p in extra.split(os.pathsep) if p]
    return dirs


def _scenario_files() -> dict[str, Path]:
    files: dict[str, Path] = {}
    for directory in scenario_dirs():
        for path in sorted(directory.glob("*.yml")):
            files.setdefault(path.stem, path)
    return files


def _natural(scenario_id: str) -> tuple[str, int]:
    stem = scenario_id.rstrip("0123456789")
    digits = scenario_id[len(stem) :]
    return stem, int(digits) if digits else -1


def load_all() -> list[Scenario]:
    return [load_file(path) for _, path in sorted(_scenario_files().items(), key=lambda kv: _natural(kv[0]))]


def load(scenario_id: str) -> Scenario:
    files = _scenario_files()
    if scenario_id not in files:
        known = ", ".join(sorted(files, key=_natural)) or "none"
        raise LabctlError(f"Unknown scenario '{scenario_id}'; known scenarios: {known}.", ExitCode.USAGE)
    return load_file(files[scenario_id])
