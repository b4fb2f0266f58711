"""Why a run stops, in English and German: the sentences of labctl.lab.stop and of the modules that refuse.

A stop is data, `said(key, **values)` → {"reason": key, "values": {...}}: a module or the stop action
returns it as `labctl_said` next to its English `msg` (for Ansible's own output and the logs), and labctl
renders it in the language it shows (`say(said, lang)`), so a German trainer reads German on every
machine of the room. A value is data, inserted as it is and never read as a template; a value may itself
be a said (a phrase inside the sentence) or a list (joined by ", "). The German uses the course's words:
Pod, Container, Volume, Image, Netzwerk.
"""

import re

DEFAULT_LANG = "en"
# A placeholder, as module_utils.texts fills them (kept here: assertions, which texts imports, uses reasons).
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")

# Reasons that are punctuation, codes and values only: the same in every language.
THE_SAME_IN_EVERY_LANGUAGE = frozenset({"with_why", "why_and_hint", "why_http"})

TEXTS = {
    "en": {
        # Ports (module_utils.ports.verdict): "<found>, but scenario <s> needs it: <hint>, then try again."
        "port_stop": "{found}, but scenario {scenario} needs it: {hint}, then try again.",
        "port_by_pod": "port {port} is published by Podman pod {pod}",
        "port_by_container": "port {port} is published by Podman container {container}",
        "port_by_process": "port {port} is in use by {process} (PID {pid})",
        "port_by_unseen": "port {port} is in use by a process labctl cannot see (run as root to name it)",
        "remove_pod": "remove that pod (`podman pod rm -f {pod}`)",
        "remove_container": "remove that container (`podman rm -f {container}`)",
        "stop_process": "stop that process",
        # The host: what up's preflight and host setup stop on.
        "missing_one_root": "{missing} is not installed: run `labctl host setup` or `{install}`, then try again.",
        "missing_many_root": "{missing} are not installed: run `labctl host setup` or `{install}`, then try again.",
        "missing_one_user": (
            "{missing} is not installed and labctl runs without root: run `{install}` "
            "(or `sudo labctl host setup`), then try again."
        ),
        "missing_many_user": (
            "{missing} are not installed and labctl runs without root: run `{install}` "
            "(or `sudo labctl host setup`), then try again."
        ),
        "address_on": "address {ip} ({device})",
        "route_to": "route to {net} ({device})",
        "subnet_clash": (
            "This machine's {found} lies inside {subnet}, the network Podman gives its containers by default, so "
            "the lab's pods would take the machine's own subnet and never answer: run `labctl host setup "
            "--default-subnet 10.123.0.0/16` (a free /16 of your network), which writes it into labctl's "
            "containers.conf drop-in, then try again"
        ),
        "podman_broken": (
            "Podman is installed but does not run ({error}): run `podman version` to see the whole error and "
            "repair the installation, then try again."
        ),
        "podman_cannot_start": (
            "Podman cannot start a container on this host ({error}): run `labctl host setup`, which configures "
            "Podman for this host (`labctl host check` says what it cannot fix), then try again."
        ),
        "no_packages_one_root": (
            "{missing} is not installed and labctl may not install packages (host_install_packages is false): "
            "run `{install}`, then try again."
        ),
        "no_packages_many_root": (
            "{missing} are not installed and labctl may not install packages (host_install_packages is false): "
            "run `{install}`, then try again."
        ),
        "runtime_unfixable": (
            "Podman cannot start a container on this host ({error}) and labctl knows no configuration that "
            "fixes it: run `podman run --rm --rootfs / true` to see the whole error."
        ),
        "runtime_overridden": (
            "Podman still cannot start a container on this host ({error}) after labctl configured {path}: "
            "{overrides} comes after it and replaces its setting, so move or fix that."
        ),
        "runtime_still_broken": (
            "Podman still cannot start a container on this host ({error}) after labctl configured {path}: "
            "check that file and the Podman installation."
        ),
        "file_not_ours": "{path} exists but labctl did not write it, so labctl leaves it alone: rename it, then run "
        "`labctl host setup` again.",
        "registry_address_bad": "'{address}' is no registry address: give HOST[:PORT][/PREFIX], e.g. 10.0.0.5:5000.",
        "dropin_not_ours": (
            '{path} exists but labctl did not write it (its first line is not "{marker}…"), so labctl leaves '
            "it alone: rename it, then run `labctl host setup` again."
        ),
        "venv_not_ours_one": (
            "{paths} on this machine is not labctl's, so labctl leaves it alone: rename it (or give labctl's venv "
            "another place, host_labctl_venv), then run `labctl host setup --install-labctl` again."
        ),
        "venv_not_ours_many": (
            "{paths} on this machine are not labctl's, so labctl leaves them alone: rename them (or give labctl's "
            "venv another place, host_labctl_venv), then run `labctl host setup --install-labctl` again."
        ),
        # The scenario.
        "kind_container": "container {name}",
        "kind_pod": "pod {name}",
        "kind_volume": "volume {name}",
        "kind_network": "network {name}",
        "kind_secret": "secret {name}",
        "not_ours_one": (
            "{names} already exists but labctl did not make it, and up would replace it: remove what you made "
            "(`labctl clean` removes the exercise's names), or run up with --force"
        ),
        "not_ours_many": (
            "{names} already exist but labctl did not make them, and up would replace them: remove what you made "
            "(`labctl clean` removes the exercise's names), or run up with --force"
        ),
        "network_without_dns": (
            "The network {network} exists without DNS, so {client} cannot resolve {server} by name: remove it "
            "with `labctl clean {scenario}` (or `podman network rm {network}`), then try again"
        ),
        "image_not_here": (
            "The image {image} is not on this host and `--pull never` forbids pulling it: {ways_out}, then try again"
        ),
        "cannot_pull": "Cannot pull {image} ({error}): {ways_out}, then try again",
        "an_image_of": "an image of {scenario}",
        "images_ways_out": (
            "point this host at the room's registry mirror (`labctl host setup --registry-mirror HOST:PORT`), "
            "load a bundle made where the images are (`labctl images load FILE`), or build look-alikes from "
            "Debian's packages (`labctl images build-lookalikes`)"
        ),
        # Accounts, stores and leases.
        "no_user": "There is no user {user} on this machine: create the account first",
        "no_user_plain": "There is no user {user} on this machine",
        "no_user_then_setup": "There is no user {user} on this machine: create the account, then run host setup again.",
        "no_linger": (
            "{user} does not linger on this machine, so their rootless containers would stop when Ansible's "
            "connection closes: run `labctl host setup --lab-user {user}` (or `loginctl enable-linger {user}` "
            "as root) first"
        ),
        "no_user_manager": (
            "{user}'s systemd user manager is not running (no /run/user/{uid}) although they linger: run "
            "`systemctl start user@{uid}.service` as root, or wait a moment after `labctl host setup`, then try again"
        ),
        "a_labctl_run": "a labctl run",
        "holder_run": "{command} ({user}{pid} on {controller}, since {since})",
        "store_busy": (
            "Another labctl run works on this machine's Podman store: {holder}; wait for it to finish and try "
            "again (if that run is gone, remove {path} on this machine)"
        ),
        # Waiting until part of a lab is ready (module_utils.waiting).
        "not_ready_within": "{what} was not ready within {timeout} s",
        "not_ready_stopped": "{what} was not ready and stopped",
        "with_why": "{said} ({why})",
        "why_and_hint": "{why}; {hint}",
        "with_logs": "{said}; the last log lines of {container}: {lines}",
        "no_lines": "none",
        "missing_word": "missing",
        "why_it_is": "it is {status}",
        "why_lacks": "its answer lacks {text}",
        "why_exit": "exit {rc}",
        "why_exit_said": "exit {rc}: {line}",
        "why_no_answer": "no answer",
        "why_http": "HTTP {code}",
        "why_http_without": "HTTP {code} without {text}",
        "why_http_no_json": "HTTP {code} without a {key} in its JSON",
        "why_healthcheck_failing": "`podman healthcheck run {name}` keeps failing: {why}",
        "why_health_is": "Podman reports it {health} (its systemd timer runs the healthcheck)",
        "why_no_health": "Podman reports no health for it (its systemd timer runs the healthcheck)",
        # What an exercise waits for (its role's wait_ready `what` and `hint`).
        "wait_page_by_name": "{client} getting {server}'s welcome page by name",
        "wait_database": "the database container {name}",
        "wait_app": "the app container {name} on {url}",
        "hint_reset_ex2": "`labctl reset ex2` starts it afresh, without its data",
    },
    "de": {
        "port_stop": "{found}, aber Szenario {scenario} braucht ihn: {hint}, dann versuchen Sie es erneut.",
        "port_by_pod": "Port {port} wird von Podmans Pod {pod} veröffentlicht",
        "port_by_container": "Port {port} wird von Podmans Container {container} veröffentlicht",
        "port_by_process": "Port {port} wird von {process} (PID {pid}) belegt",
        "port_by_unseen": (
            "Port {port} wird von einem Prozess belegt, den labctl nicht sieht (als root ausgeführt nennt es ihn)"
        ),
        "remove_pod": "entfernen Sie diesen Pod (`podman pod rm -f {pod}`)",
        "remove_container": "entfernen Sie diesen Container (`podman rm -f {container}`)",
        "stop_process": "beenden Sie diesen Prozess",
        "missing_one_root": (
            "{missing} ist nicht installiert: führen Sie `labctl host setup` oder `{install}` aus, dann versuchen "
            "Sie es erneut."
        ),
        "missing_many_root": (
            "{missing} sind nicht installiert: führen Sie `labctl host setup` oder `{install}` aus, dann versuchen "
            "Sie es erneut."
        ),
        "missing_one_user": (
            "{missing} ist nicht installiert, und labctl läuft ohne root: führen Sie `{install}` aus (oder "
            "`sudo labctl host setup`), dann versuchen Sie es erneut."
        ),
        "missing_many_user": (
            "{missing} sind nicht installiert, und labctl läuft ohne root: führen Sie `{install}` aus (oder "
            "`sudo labctl host setup`), dann versuchen Sie es erneut."
        ),
        "address_on": "Adresse {ip} ({device})",
        "route_to": "Route nach {net} ({device})",
        "subnet_clash": (
            "Die {found} dieser Maschine liegt in {subnet}, dem Netzwerk, das Podman seinen Containern "
            "standardmäßig gibt; die Pods des Labs würden das eigene Subnetz der Maschine belegen und nie "
            "antworten: führen Sie `labctl host setup --default-subnet 10.123.0.0/16` aus (ein freies /16 Ihres "
            "Netzes), das es in labctls containers.conf-Drop-in schreibt, dann versuchen Sie es erneut"
        ),
        "podman_broken": (
            "Podman ist installiert, läuft aber nicht ({error}): `podman version` zeigt den ganzen Fehler; "
            "reparieren Sie die Installation, dann versuchen Sie es erneut."
        ),
        "podman_cannot_start": (
            "Podman kann auf diesem Host keinen Container starten ({error}): führen Sie `labctl host setup` aus, "
            "das Podman für diesen Host einrichtet (`labctl host check` sagt, was es nicht beheben kann), dann "
            "versuchen Sie es erneut."
        ),
        "no_packages_one_root": (
            "{missing} ist nicht installiert, und labctl darf keine Pakete installieren (host_install_packages "
            "ist false): führen Sie `{install}` aus, dann versuchen Sie es erneut."
        ),
        "no_packages_many_root": (
            "{missing} sind nicht installiert, und labctl darf keine Pakete installieren (host_install_packages "
            "ist false): führen Sie `{install}` aus, dann versuchen Sie es erneut."
        ),
        "runtime_unfixable": (
            "Podman kann auf diesem Host keinen Container starten ({error}), und labctl kennt keine "
            "Konfiguration, die das behebt: `podman run --rm --rootfs / true` zeigt den ganzen Fehler."
        ),
        "runtime_overridden": (
            "Podman kann auf diesem Host noch immer keinen Container starten ({error}), nachdem labctl {path} "
            "eingerichtet hat: {overrides} kommt danach und ersetzt dessen Einstellung; verschieben oder "
            "korrigieren Sie das."
        ),
        "runtime_still_broken": (
            "Podman kann auf diesem Host noch immer keinen Container starten ({error}), nachdem labctl {path} "
            "eingerichtet hat: prüfen Sie diese Datei und die Podman-Installation."
        ),
        "file_not_ours": (
            "{path} existiert, wurde aber nicht von labctl geschrieben, daher lässt labctl es unangetastet: "
            "benennen Sie es um, dann führen Sie `labctl host setup` erneut aus."
        ),
        "registry_address_bad": (
            "'{address}' ist keine Registry-Adresse: geben Sie HOST[:PORT][/PRÄFIX] an, z. B. 10.0.0.5:5000."
        ),
        "dropin_not_ours": (
            '{path} existiert, wurde aber nicht von labctl geschrieben (die erste Zeile ist nicht "{marker}…"), '
            "daher lässt labctl es unangetastet: benennen Sie es um, dann führen Sie `labctl host setup` erneut "
            "aus."
        ),
        "venv_not_ours_one": (
            "{paths} auf dieser Maschine gehört nicht labctl, daher lässt labctl es unangetastet: benennen Sie "
            "es um (oder geben Sie labctls venv einen anderen Ort, host_labctl_venv), dann führen Sie "
            "`labctl host setup --install-labctl` erneut aus."
        ),
        "venv_not_ours_many": (
            "{paths} auf dieser Maschine gehören nicht labctl, daher lässt labctl sie unangetastet: benennen Sie "
            "sie um (oder geben Sie labctls venv einen anderen Ort, host_labctl_venv), dann führen Sie "
            "`labctl host setup --install-labctl` erneut aus."
        ),
        "kind_container": "Container {name}",
        "kind_pod": "Pod {name}",
        "kind_volume": "Volume {name}",
        "kind_network": "Netzwerk {name}",
        "kind_secret": "Secret {name}",
        "not_ours_one": (
            "{names} gibt es schon, aber nicht von labctl angelegt, und up würde es ersetzen: entfernen Sie, "
            "was Sie angelegt haben (`labctl clean` entfernt die Namen der Übung), oder starten Sie up mit --force"
        ),
        "not_ours_many": (
            "{names} gibt es schon, aber nicht von labctl angelegt, und up würde sie ersetzen: entfernen Sie, "
            "was Sie angelegt haben (`labctl clean` entfernt die Namen der Übung), oder starten Sie up mit --force"
        ),
        "network_without_dns": (
            "Das Netzwerk {network} existiert ohne DNS, daher kann {client} {server} nicht über den Namen "
            "erreichen: entfernen Sie es mit `labctl clean {scenario}` (oder `podman network rm {network}`), "
            "dann versuchen Sie es erneut"
        ),
        "image_not_here": (
            "Das Image {image} ist nicht auf diesem Host, und `--pull never` verbietet, es zu holen: {ways_out}, "
            "dann versuchen Sie es erneut"
        ),
        "cannot_pull": "{image} lässt sich nicht holen ({error}): {ways_out}, dann versuchen Sie es erneut",
        "an_image_of": "ein Image von {scenario}",
        "images_ways_out": (
            "richten Sie diesen Host auf den Registry-Mirror des Raums aus (`labctl host setup --registry-mirror "
            "HOST:PORT`), laden Sie ein Bündel, das dort gemacht wurde, wo die Images sind (`labctl images load "
            "FILE`), oder bauen Sie Look-alikes aus Debians Paketen (`labctl images build-lookalikes`)"
        ),
        "no_user": "Auf dieser Maschine gibt es keinen Benutzer {user}: legen Sie das Konto zuerst an",
        "no_user_plain": "Auf dieser Maschine gibt es keinen Benutzer {user}",
        "no_user_then_setup": (
            "Auf dieser Maschine gibt es keinen Benutzer {user}: legen Sie das Konto an, dann führen Sie "
            "host setup erneut aus."
        ),
        "no_linger": (
            "{user} hat auf dieser Maschine kein Linger, daher würden die rootless Container beim Schließen der "
            "Ansible-Verbindung anhalten: führen Sie zuerst `labctl host setup --lab-user {user}` aus (oder "
            "`loginctl enable-linger {user}` als root)"
        ),
        "no_user_manager": (
            "Der systemd-Benutzerdienst von {user} läuft nicht (kein /run/user/{uid}), obwohl Linger an ist: "
            "führen Sie `systemctl start user@{uid}.service` als root aus oder warten Sie einen Moment nach "
            "`labctl host setup`, dann versuchen Sie es erneut"
        ),
        "a_labctl_run": "ein labctl-Lauf",
        "holder_run": "{command} ({user}{pid} auf {controller}, seit {since})",
        "store_busy": (
            "Ein anderer labctl-Lauf arbeitet im Podman-Speicher dieser Maschine: {holder}; warten Sie, bis er "
            "fertig ist, und versuchen Sie es erneut (ist dieser Lauf verschwunden, entfernen Sie {path} auf "
            "dieser Maschine)"
        ),
        "not_ready_within": "{what} war nicht innerhalb von {timeout} s bereit",
        "not_ready_stopped": "{what} war nicht bereit und hat angehalten",
        "with_why": "{said} ({why})",
        "why_and_hint": "{why}; {hint}",
        "with_logs": "{said}; die letzten Log-Zeilen von {container}: {lines}",
        "no_lines": "keine",
        "missing_word": "nicht vorhanden",
        "why_it_is": "er ist {status}",
        "why_lacks": "seiner Antwort fehlt {text}",
        "why_exit": "Exit-Code {rc}",
        "why_exit_said": "Exit-Code {rc}: {line}",
        "why_no_answer": "keine Antwort",
        "why_http": "HTTP {code}",
        "why_http_without": "HTTP {code} ohne {text}",
        "why_http_no_json": "HTTP {code} ohne {key} in seinem JSON",
        "why_healthcheck_failing": "`podman healthcheck run {name}` scheitert weiterhin: {why}",
        "why_health_is": "Podman meldet ihn als {health} (sein systemd-Timer führt den Healthcheck aus)",
        "why_no_health": "Podman meldet keinen Zustand für ihn (sein systemd-Timer führt den Healthcheck aus)",
        "wait_page_by_name": "{client}, der die Willkommensseite von {server} über den Namen abruft,",
        "wait_database": "der Datenbank-Container {name}",
        "wait_app": "der App-Container {name} unter {url}",
        "hint_reset_ex2": "`labctl reset ex2` startet ihn neu, ohne seine Daten",
    },
}


def said(reason, **values):
    """A stop as data: the reason's key and its values (each plain data, a said, or a list)."""
    if reason not in TEXTS[DEFAULT_LANG]:
        raise KeyError(f"no reason {reason!r} in module_utils.reasons")
    return {"reason": reason, "values": values}


def is_said(value):
    """Whether a value is a said: a mapping with a known reason and a mapping of values."""
    return (
        isinstance(value, dict)
        and value.get("reason") in TEXTS[DEFAULT_LANG]
        and isinstance(value.get("values", {}), dict)
    )


def _value(value, lang, capital=False):
    if is_said(value):
        return _sentence(value, lang, capital)
    if isinstance(value, (list, tuple)):
        return ", ".join(
            _value(v, lang, capital and i == 0) for i, v in enumerate(v for v in value if v not in (None, ""))
        )
    return "" if value is None else str(value)  # data stays as it is, its case too (a user name, a URL)


def _sentence(value, lang, capital=False):
    """The said's template in lang, filled; capital: its first word upper-case when the template starts with
    a word of ours (a value at the start stays as it is, or starts its own said upper-case)."""
    table = TEXTS.get(lang) or TEXTS[DEFAULT_LANG]
    template = table.get(value["reason"]) or TEXTS[DEFAULT_LANG][value["reason"]]
    values = value.get("values") or {}
    first = PLACEHOLDER.match(template)

    def one(match):
        name = match.group(1)
        if name not in values:
            return match.group(0)
        return _value(values[name], lang, capital and first is not None and match.start() == 0)

    text = PLACEHOLDER.sub(one, template)
    if capital and first is None:
        text = text[:1].upper() + text[1:]
    return text


def words(value, lang=DEFAULT_LANG):
    """A said as words inside a sentence, in lang: as its template starts (lower-case for a phrase)."""
    return _sentence(value, lang)


def say(value, lang=DEFAULT_LANG):
    """A said as a sentence in lang (English where lang is unknown), starting upper-case where it starts
    with a word of ours."""
    return _sentence(value, lang, capital=True)


def english(value):
    """A said in English: the `msg` next to it, for Ansible's own output and the logs."""
    return say(value, DEFAULT_LANG)
