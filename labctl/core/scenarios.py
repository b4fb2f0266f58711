"""Scenario files: one source of truth per exercise, loaded into a validated model."""

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated, Any

import yaml
from ansible_collections.labctl.lab.plugins.module_utils import boundary, scenario_vars
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from labctl.core import i18n
from labctl.core.errors import ExitCode, LabctlError
from labctl.core.i18n import _
from labctl.core.paths import content_dir

Port = Annotated[int, Field(ge=1, le=65535)]
Name = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
# A key of the scenario file becomes the role variable <role>_<key>.
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
# An image reference as Podman takes it: [registry[:port]/]path[:tag][@digest], no spaces, no templates.
ImageRef = Annotated[
    str,
    Field(
        max_length=255,
        pattern=r"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*"
        r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$",
    ),
]
RelPath = Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")]

# Extra folders of scenario files (os.pathsep-separated), searched after the shipped ones. A folder
# may hold a roles/ folder beside its files, for the roles of its own scenarios.
SCENARIO_PATH_ENV = "LABCTL_SCENARIO_PATH"
LABELS = scenario_vars.LABEL_MANAGED  # plus io.labctl.scenario=<id>, on every resource labctl makes


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Build(_Strict):
    """An image the scenario builds from a context shipped in its role's files/."""

    tag: ImageRef
    context: RelPath
    format: str = Field(default="oci", pattern="^(oci|docker)$")
    # True when the course has the student build it: prepare then removes it instead of building it.
    by_student: bool = False


class Resources(_Strict):
    """What the exercise creates, by the course's names: what clean removes and status shows."""

    networks: dict[Key, Name] = {}
    pods: dict[Key, Name] = {}
    containers: dict[Key, Name] = {}
    volumes: dict[Key, Name] = {}
    secrets: dict[Key, Name] = {}  # Podman secrets: how passwords reach containers without a command line


class Scenario(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=40)
    title: str = Field(min_length=1, max_length=200)
    course_ref: str = Field(min_length=1, max_length=200)
    role: str = Field(pattern=r"^[a-z0-9_]+$")
    ports: dict[Key, Port] = {}
    images: dict[Key, ImageRef] = {}
    builds: dict[Key, Build] = {}
    files: list[RelPath] = []
    resources: Resources
    temporary: dict[Key, Name] = {}  # containers started for a moment (by the course or verify): clean removes them
    _source: Path | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _keys_are_unique(self) -> "Scenario":
        seen: dict[str, str] = {}
        for section, keys in self._sections().items():
            for key in keys:
                if key in seen:
                    raise ValueError(
                        _("key '{key}' is in both {first} and {second}: one key, one role variable").format(
                            key=key, first=seen[key], second=section
                        )
                    )
                seen[key] = section
        return self

    def _sections(self) -> dict[str, dict[str, Any]]:
        return scenario_vars.sections(self.model_dump(mode="json"))

    @property
    def source(self) -> Path | None:
        """The file the scenario was loaded from."""
        return self._source

    @property
    def host_ports(self) -> list[int]:
        return sorted(set(self.ports.values()))

    @property
    def pulled_images(self) -> list[str]:
        return list(dict.fromkeys(self.images.values()))

    @property
    def built_images(self) -> list[str]:
        return [b.tag for b in self.builds.values()]

    def names(self, kind: str) -> list[str]:
        """The names of one kind of resource (networks, pods, containers, volumes)."""
        return list(getattr(self.resources, kind).values())

    def resource_names(self) -> SimpleNamespace:
        """The names by kind, as lists: .networks, .pods, .containers, .volumes."""
        return SimpleNamespace(**{kind: self.names(kind) for kind in ("networks", "pods", "containers", "volumes")})

    def role_vars(self) -> dict[str, Any]:
        """The role's variables this file sets: every key as <role>_<key> (a build gives its tag)."""
        return scenario_vars.role_vars(self.model_dump(mode="json"))

    def role_path(self) -> Path:
        """The role's folder: shipped roles first, then a roles/ folder beside the scenario file."""
        candidates = [content_dir() / "roles" / self.role]
        if self._source:
            candidates.append(self._source.parent / "roles" / self.role)
        for candidate in candidates:
            if (candidate / "tasks" / "main.yml").is_file():
                return candidate
        raise LabctlError(
            _(
                "Scenario {id} names role '{role}', which does not exist (looked in {folders}): "
                "fix key 'role' in {file}."
            ).format(
                id=self.id, role=self.role, folders=", ".join(str(c.parent) for c in candidates), file=self._source
            ),
            ExitCode.USAGE,
        )

    def role_options(self) -> dict[str, dict[str, Any]]:
        """The options of the role's one argument spec (meta/argument_specs.yml, entry point main)."""
        spec_file = self.role_path() / "meta" / "argument_specs.yml"
        try:
            specs = yaml.safe_load(spec_file.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise LabctlError(
                _("Cannot read {file} ({problem}): reinstall labctl.").format(file=spec_file, problem=exc),
                ExitCode.USAGE,
            ) from exc
        return ((specs.get("argument_specs") or {}).get("main") or {}).get("options") or {}

    def as_extravar(self) -> dict[str, Any]:
        """The scenario as the playbooks see it (`lab_scenario`), with its role's folder."""
        return {**self.model_dump(mode="json"), "role_path": str(self.role_path())}


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(part) for part in error["loc"]) or "(top level)"
    if error["type"] == "extra_forbidden":
        return _("unknown key '{key}'").format(key=where)
    if error["type"] == "missing":
        return _("missing key '{key}'").format(key=where)
    if error["type"] == "value_error" and not error["loc"]:
        return str(error["msg"]).removeprefix("Value error, ")
    return _("key '{key}': {problem} (got {value!r})").format(
        key=where, problem=error["msg"].lower(), value=error.get("input")
    )


def load_file(path: Path) -> Scenario:
    """Load and validate one scenario file; any problem is one LabctlError naming the file and key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise LabctlError(
            _("Scenario file {path} is not UTF-8 text (byte {byte}): save it as UTF-8.").format(
                path=path, byte=exc.start
            ),
            ExitCode.USAGE,
        ) from exc
    except OSError as exc:
        raise LabctlError(
            _("Cannot read scenario file {path}: {problem}.").format(path=path, problem=exc.strerror), ExitCode.USAGE
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        message = (
            _("Scenario file {path} is not valid YAML at line {line}: fix its syntax.").format(
                path=path, line=mark.line + 1
            )
            if mark
            else _("Scenario file {path} is not valid YAML: fix its syntax.").format(path=path)
        )
        raise LabctlError(message, ExitCode.USAGE) from exc
    if not isinstance(data, dict):
        raise LabctlError(
            _("Scenario file {path} must hold a mapping of keys, not {kind}.").format(
                path=path, kind=type(data).__name__
            ),
            ExitCode.USAGE,
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(_describe(e) for e in exc.errors())
        raise LabctlError(
            _("Scenario file {path}: {problems}.").format(path=path, problems=problems), ExitCode.USAGE
        ) from exc
    if scenario.id != path.stem:
        raise LabctlError(
            _("Scenario file {path}: key 'id' is '{id}' but the file is named '{name}'; make them match.").format(
                path=path, id=scenario.id, name=path.name
            ),
            ExitCode.USAGE,
        )
    scenario._source = path
    return scenario


def scenario_dirs() -> list[Path]:
    """The shipped scenarios' folder, then LABCTL_SCENARIO_PATH's. An entry must be absolute; root uses
    none that another account owns or may write (its scenarios name roles, which run as root)."""
    dirs = [content_dir() / "scenarios"]
    extra = os.environ.get(SCENARIO_PATH_ENV, "")
    for entry in (p for p in extra.split(os.pathsep) if p):
        if not os.path.isabs(entry):
            raise LabctlError(
                _(
                    "{variable} holds {entry!r}, which is not an absolute path: give whole paths "
                    "(a relative one would depend on the folder labctl is started in)."
                ).format(variable=SCENARIO_PATH_ENV, entry=entry),
                ExitCode.USAGE,
            )
        uid = os.geteuid()
        problem = boundary.trusted_folder_problem(entry, uid) if uid == 0 else _world_writable(entry)
        if problem:
            raise LabctlError(
                _(
                    "labctl will not take scenarios from {entry} ({variable}): {problem}; use a folder "
                    "that only you (and root) may change."
                ).format(entry=entry, variable=SCENARIO_PATH_ENV, problem=i18n.words(problem)),
                ExitCode.HOST_NOT_READY,
            )
        dirs.append(Path(entry))
    return dirs


def _world_writable(folder: str) -> str | None:
    try:
        mode = os.stat(folder).st_mode
    except OSError:
        return None
    if not mode & 0o002:
        return None
    return _("{folder} may be written by every account (mode {mode:04o})").format(folder=folder, mode=mode & 0o7777)


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


def load_all(problems: list[str] | None = None) -> list[Scenario]:
    """Every scenario, in natural order. With `problems`, a bad file from an extra folder
    (LABCTL_SCENARIO_PATH) is left out and its error appended there, so that one broken file of a
    trainer's does not take `list`, `status` and `host` down; a bad shipped file always raises."""
    shipped = content_dir() / "scenarios"
    found = []
    for _id, path in sorted(_scenario_files().items(), key=lambda kv: _natural(kv[0])):
        try:
            found.append(load_file(path))
        except LabctlError as exc:
            if problems is None or path.parent == shipped:
                raise
            problems.append(exc.message)
    return found


def load(scenario_id: str) -> Scenario:
    files = _scenario_files()
    if scenario_id not in files:
        known = ", ".join(sorted(files, key=_natural)) or _("none")
        raise LabctlError(
            _("Unknown scenario '{id}'; known scenarios: {known}.").format(id=scenario_id, known=known), ExitCode.USAGE
        )
    return load_file(files[scenario_id])
