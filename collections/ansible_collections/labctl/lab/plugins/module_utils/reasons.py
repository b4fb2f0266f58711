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
THE_SAME_IN_EVERY_LANGUAGE = frozenset({"with_why", "why_and_hint", "why_http", "host_podman"})

# Words a sentence starts with as they are: a name (labctl), or code (lab_port_offset, `podman …`).
KEEP_CASE = frozenset({"labctl"})

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
        "offset_not_a_number": (
            "lab_port_offset of host {host} must be a whole number from 0 to {most}, not {value}: fix it in the "
            "inventory."
        ),
        "offset_too_far": (
            "lab_port_offset {offset} of host {host} moves port {port} past 65535: use at most {most} in the inventory."
        ),
        "store_busy": (
            "Another labctl run works on this machine's Podman store: {holder}; wait for it to finish and try "
            "again (if that run is gone, remove {path} on this machine)"
        ),
        # The account boundary (module_utils.boundary): why a path is not this account's to write or keep state in.
        "b_unreadable": "{path} cannot be read ({error})",
        "b_link": "{path} is a symbolic link",
        "b_not_folder": "{path} is not a folder",
        "b_not_owner": "{path} belongs to {owner}, not to {user}",
        "b_others_write": "{path} may be written by other accounts (mode {mode})",
        "b_not_absolute": "{path} is not an absolute path",
        "b_others_first": "{folder} may be written by other accounts, who could put something at {path} first",
        "b_link_of": "{path} is a link of {owner}",
        "b_folder_of": "{path} is a folder of {owner}",
        "b_file_of": "{path} is a file of {owner}",
        "b_too_many_links": "{path} has too many links on its way",
        "state_refused": "labctl will not keep its state in {folder}: {problem}; remove or fix it, then try again",
        "will_not_write": (
            "labctl will not write {path}: {problem}; give {what} a folder of this account's own (as a student, "
            "run labctl as that student)"
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
        # What `labctl host check` and `host setup` report (the host role's checks).
        "host_podman_installed": "Podman installed",
        "host_podman_on_path": "podman on PATH",
        "host_not_installed": "not installed",
        "host_install_hint": "run `labctl host setup` as root, or `{install}`",
        "host_default_network": "Podman's default network",
        "host_subnet_expected": "{subnet} apart from the machine's own addresses and routes",
        "host_apart": "apart",
        "host_subnet_hint": "run `labctl host setup --default-subnet 10.123.0.0/16` (a free /16 of your network)",
        "host_containers_start": "containers start",
        "host_test_container_runs": "a test container runs",
        "host_yes": "yes",
        "host_yes_with": "yes, with {conf}",
        "host_configure_hint": "run `labctl host setup` as root to configure Podman for this host",
        "host_podman_missing": "Podman is not installed",
        "host_cgroups_found": "v{version}{hybrid}; pod resource limits {limits}",
        "host_hybrid": " (hybrid: v1 controllers, an empty v2 hierarchy)",
        "host_enforced": "enforced",
        "host_not_enforced": "NOT enforced: {reason}",
        "host_healthchecks": "healthchecks",
        "host_hc_by_podman": (
            "Podman runs them by itself (transient systemd timers); labctl only reads the health Podman reports"
        ),
        "host_hc_no_systemd": (
            "no systemd here (PID 1 is not systemd), so no timer runs them: labctl runs `podman healthcheck run` "
            "itself where an exercise needs a health status"
        ),
        "host_hc_no_manager": (
            "no systemd user manager for {user}, so no timer runs them: labctl runs `podman healthcheck run` "
            "itself where an exercise needs a health status"
        ),
        "host_rootless": "rootless Podman for {user}",
        "host_rootless_expected": "subuid/subgid ranges, /dev/net/tun usable by the user, newuidmap",
        "host_ready": "ready",
        "host_no_such_user": "no such user",
        "host_no_subuid": "no /etc/subuid range",
        "host_no_subgid": "no /etc/subgid range",
        "host_tun": "/dev/net/tun is {mode} (slirp4netns needs 0666)",
        "host_no_newuidmap": "newuidmap missing (package uidmap)",
        "host_tun_hint": "run `chmod 0666 /dev/net/tun` as root",
        "host_subids_hint": "run `usermod --add-subuids 100000-165535 --add-subgids 100000-165535 {user}` as root",
        "host_rootless_here": "rootless Podman for {user} on this host",
        "host_rootless_here_expected": "the user lingers (systemd hosts) and has overlay storage",
        "host_delegated": "cgroup v2 controllers delegated to {user}: {controllers}",
        "host_delegated_unknown": "delegated cgroup controllers unknown until the user's systemd manager runs",
        "host_pod_limits": "pod limits {limits}",
        "host_lingers": "lingers",
        "host_lingers_now": "lingers (labctl enabled it now)",
        "host_no_linger": "does not linger: rootless containers stop when the last session ends",
        "host_no_linger_needed": "no systemd, no lingering needed",
        "host_storage": "storage {driver} ({source})",
        "host_storage_now": "storage {driver} ({source}, labctl wrote it now)",
        "host_hc_timers": "healthchecks run by systemd timers",
        "host_linger_hint": "run `loginctl enable-linger {user}` as root (or `labctl host setup --lab-user {user}`)",
        "host_vfs_hint": (
            "as {user}, `podman system reset` (deletes their images and containers), then "
            "`labctl host setup --lab-user {user}`"
        ),
        "host_setup_user_hint": "run `labctl host setup --lab-user {user}` as root",
        "host_registry_mirror": "registry mirror",
        "host_mirror_expected": "docker.io pulls go through {mirror}",
        "host_none_set": "none set",
        "host_no_mirror": "none: pulls of docker.io go to Docker Hub",
        "host_mirror_answers": "{mirror} answers",
        "host_mirror_silent": "{mirror} does not answer ({why})",
        "host_mirror_hint": (
            "start the room's registry or fix its address (`labctl host setup --registry-mirror HOST:PORT`); "
            "until then pulls fall back to Docker Hub"
        ),
        "host_podman": "Podman",
        "host_podman_runs": "{version}, containers start",
        "host_runtime_configured": "Podman runtime configured",
        "host_conf_wrote": "wrote {path}: {why}",
        "host_conf_kept": "kept {path}: {why}",
        "host_why_runc": (
            "runtime = {runtime}, because crun cannot run on hybrid cgroups (v1 controllers with an empty v2 hierarchy)"
        ),
        "host_why_ulimits": (
            "default_ulimits = [{ulimits}], because without CAP_SYS_RESOURCE a container gets no more than the "
            "hard limits ({notes})"
        ),
        "host_removed_legacy": "removed {paths}, which an older labctl wrote",
        "host_no_other_file": "labctl changed no other file, so it kept no copy",
        "host_undone": "labctl's changes undone",
        "host_removed": "removed {things}",
        "host_nothing_left": "nothing of labctl's was left to remove",
        "host_kept_foreign": "kept {paths}: labctl did not write it",
        "host_kept_folder": "kept {folder}, which still holds {files}",
        "host_kept_subids": (
            "kept the subordinate ids of {users}, who still run processes: run --undo again when they are logged out"
        ),
        "host_packages_stay": "packages stay installed",
        "host_lingering_of": "the lingering of {user}",
        "host_subids_of": "the subordinate ids of {user}",
        "host_ports_of": "ports of {scenario} ({ports})",
        "host_ports_expected": "{ports} free or held by {scenario}",
        "host_free": "free",
        "host_held_by_itself": "held by {scenario} itself",
        "host_then_try_again": "{hint}, then try again",
        "ex4_limits_here": "pod limits on this host",
        "ex4_limits_expected": "limits enforced by the kernel",
        "ex4_hint_v1": (
            "pod limits need cgroup v2, or cgroup v1 as root; `labctl verify ex4` shows what the kernel enforces"
        ),
        "ex4_hint_v2": (
            "on cgroup v2 a rootless pod gets the controllers systemd delegates to the user (user@.service "
            "Delegate=); `labctl verify ex4` shows what the kernel enforces"
        ),
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
        "offset_not_a_number": (
            "lab_port_offset von Host {host} muss eine ganze Zahl von 0 bis {most} sein, nicht {value}: korrigieren "
            "Sie es im Inventory."
        ),
        "offset_too_far": (
            "lab_port_offset {offset} von Host {host} schiebt Port {port} über 65535 hinaus: nehmen Sie im Inventory "
            "höchstens {most}."
        ),
        "store_busy": (
            "Ein anderer labctl-Lauf arbeitet im Podman-Speicher dieser Maschine: {holder}; warten Sie, bis er "
            "fertig ist, und versuchen Sie es erneut (ist dieser Lauf verschwunden, entfernen Sie {path} auf "
            "dieser Maschine)"
        ),
        "b_unreadable": "{path} kann nicht gelesen werden ({error})",
        "b_link": "{path} ist ein symbolischer Link",
        "b_not_folder": "{path} ist kein Ordner",
        "b_not_owner": "{path} gehört {owner}, nicht {user}",
        "b_others_write": "{path} darf von anderen Konten beschrieben werden (Modus {mode})",
        "b_not_absolute": "{path} ist kein absoluter Pfad",
        "b_others_first": (
            "{folder} darf von anderen Konten beschrieben werden, die zuerst etwas unter {path} ablegen könnten"
        ),
        "b_link_of": "{path} ist ein Link von {owner}",
        "b_folder_of": "{path} ist ein Ordner von {owner}",
        "b_file_of": "{path} ist eine Datei von {owner}",
        "b_too_many_links": "auf dem Weg zu {path} liegen zu viele Links",
        "state_refused": (
            "labctl legt seinen Zustand nicht in {folder} ab: {problem}; entfernen oder korrigieren Sie das, dann "
            "versuchen Sie es erneut"
        ),
        "will_not_write": (
            "labctl schreibt nicht nach {path}: {problem}; geben Sie für {what} einen Ordner dieses Kontos an (als "
            "Student führen Sie labctl als dieser Student aus)"
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
        "host_podman_installed": "Podman installiert",
        "host_podman_on_path": "podman im PATH",
        "host_not_installed": "nicht installiert",
        "host_install_hint": "führen Sie `labctl host setup` als root aus, oder `{install}`",
        "host_default_network": "Podmans Standardnetzwerk",
        "host_subnet_expected": "{subnet} getrennt von den eigenen Adressen und Routen der Maschine",
        "host_apart": "getrennt",
        "host_subnet_hint": (
            "führen Sie `labctl host setup --default-subnet 10.123.0.0/16` aus (ein freies /16 Ihres Netzes)"
        ),
        "host_containers_start": "Container starten",
        "host_test_container_runs": "ein Test-Container läuft",
        "host_yes": "ja",
        "host_yes_with": "ja, mit {conf}",
        "host_configure_hint": "führen Sie `labctl host setup` als root aus, um Podman für diesen Host einzurichten",
        "host_podman_missing": "Podman ist nicht installiert",
        "host_cgroups_found": "v{version}{hybrid}; Ressourcen-Limits für Pods {limits}",
        "host_hybrid": " (hybrid: v1-Controller, eine leere v2-Hierarchie)",
        "host_enforced": "durchgesetzt",
        "host_not_enforced": "NICHT durchgesetzt: {reason}",
        "host_healthchecks": "Healthchecks",
        "host_hc_by_podman": (
            "Podman führt sie selbst aus (transiente systemd-Timer); labctl liest nur den Zustand, den Podman meldet"
        ),
        "host_hc_no_systemd": (
            "hier kein systemd (PID 1 ist nicht systemd), daher führt kein Timer sie aus: labctl führt "
            "`podman healthcheck run` selbst aus, wo eine Übung einen Healthcheck-Zustand braucht"
        ),
        "host_hc_no_manager": (
            "kein systemd-Benutzerdienst für {user}, daher führt kein Timer sie aus: labctl führt "
            "`podman healthcheck run` selbst aus, wo eine Übung einen Healthcheck-Zustand braucht"
        ),
        "host_rootless": "rootless Podman für {user}",
        "host_rootless_expected": "subuid/subgid-Bereiche, /dev/net/tun für den Benutzer nutzbar, newuidmap",
        "host_ready": "bereit",
        "host_no_such_user": "kein solcher Benutzer",
        "host_no_subuid": "kein Bereich in /etc/subuid",
        "host_no_subgid": "kein Bereich in /etc/subgid",
        "host_tun": "/dev/net/tun ist {mode} (slirp4netns braucht 0666)",
        "host_no_newuidmap": "newuidmap fehlt (Paket uidmap)",
        "host_tun_hint": "führen Sie `chmod 0666 /dev/net/tun` als root aus",
        "host_subids_hint": (
            "führen Sie `usermod --add-subuids 100000-165535 --add-subgids 100000-165535 {user}` als root aus"
        ),
        "host_rootless_here": "rootless Podman für {user} auf diesem Host",
        "host_rootless_here_expected": "der Benutzer hat Linger (auf systemd-Hosts) und overlay-Speicher",
        "host_delegated": "an {user} delegierte cgroup-v2-Controller: {controllers}",
        "host_delegated_unknown": "delegierte cgroup-Controller unbekannt, bis der systemd-Benutzerdienst läuft",
        "host_pod_limits": "Pod-Limits {limits}",
        "host_lingers": "Linger an",
        "host_lingers_now": "Linger an (labctl hat es jetzt eingeschaltet)",
        "host_no_linger": "kein Linger: rootless Container halten an, wenn die letzte Sitzung endet",
        "host_no_linger_needed": "kein systemd, kein Linger nötig",
        "host_storage": "Speicher {driver} ({source})",
        "host_storage_now": "Speicher {driver} ({source}, labctl hat ihn jetzt geschrieben)",
        "host_hc_timers": "Healthchecks laufen über systemd-Timer",
        "host_linger_hint": (
            "führen Sie `loginctl enable-linger {user}` als root aus (oder `labctl host setup --lab-user {user}`)"
        ),
        "host_vfs_hint": (
            "als {user} `podman system reset` (löscht dessen Images und Container), dann "
            "`labctl host setup --lab-user {user}`"
        ),
        "host_setup_user_hint": "führen Sie `labctl host setup --lab-user {user}` als root aus",
        "host_registry_mirror": "Registry-Mirror",
        "host_mirror_expected": "Pulls von docker.io gehen über {mirror}",
        "host_none_set": "keiner eingestellt",
        "host_no_mirror": "keiner: Pulls von docker.io gehen an Docker Hub",
        "host_mirror_answers": "{mirror} antwortet",
        "host_mirror_silent": "{mirror} antwortet nicht ({why})",
        "host_mirror_hint": (
            "starten Sie die Registry des Raums oder korrigieren Sie ihre Adresse (`labctl host setup "
            "--registry-mirror HOST:PORT`); bis dahin gehen Pulls an Docker Hub"
        ),
        "host_podman": "Podman",
        "host_podman_runs": "{version}, Container starten",
        "host_runtime_configured": "Podman-Runtime eingerichtet",
        "host_conf_wrote": "{path} geschrieben: {why}",
        "host_conf_kept": "{path} behalten: {why}",
        "host_why_runc": (
            "runtime = {runtime}, weil crun nicht auf hybriden cgroups läuft (v1-Controller mit einer leeren "
            "v2-Hierarchie)"
        ),
        "host_why_ulimits": (
            "default_ulimits = [{ulimits}], weil ein Container ohne CAP_SYS_RESOURCE nicht mehr als die harten "
            "Limits bekommt ({notes})"
        ),
        "host_removed_legacy": "{paths} entfernt, das ein älteres labctl geschrieben hat",
        "host_no_other_file": "labctl hat keine andere Datei geändert, daher keine Kopie behalten",
        "host_undone": "Änderungen von labctl rückgängig gemacht",
        "host_removed": "entfernt: {things}",
        "host_nothing_left": "von labctl war nichts mehr zu entfernen",
        "host_kept_foreign": "{paths} behalten: nicht von labctl geschrieben",
        "host_kept_folder": "{folder} behalten, das noch {files} enthält",
        "host_kept_subids": (
            "die Sub-IDs von {users} behalten, die noch Prozesse laufen haben: führen Sie --undo erneut aus, "
            "wenn sie abgemeldet sind"
        ),
        "host_packages_stay": "Pakete bleiben installiert",
        "host_lingering_of": "das Linger von {user}",
        "host_subids_of": "die Sub-IDs von {user}",
        "host_ports_of": "Ports von {scenario} ({ports})",
        "host_ports_expected": "{ports} frei oder von {scenario} belegt",
        "host_free": "frei",
        "host_held_by_itself": "von {scenario} selbst belegt",
        "host_then_try_again": "{hint}, dann versuchen Sie es erneut",
        "ex4_limits_here": "Pod-Limits auf diesem Host",
        "ex4_limits_expected": "Limits vom Kernel durchgesetzt",
        "ex4_hint_v1": (
            "Pod-Limits brauchen cgroup v2 oder cgroup v1 als root; `labctl verify ex4` zeigt, was der Kernel "
            "durchsetzt"
        ),
        "ex4_hint_v2": (
            "auf cgroup v2 bekommt ein rootless Pod die Controller, die systemd an den Benutzer delegiert "
            "(Delegate= von user@.service); `labctl verify ex4` zeigt, was der Kernel durchsetzt"
        ),
    },
}


def said(reason, **values):
    """A stop as data: the reason's key and its values (each plain data, a said, or a list)."""
    if reason not in TEXTS[DEFAULT_LANG]:
        raise KeyError(f"no reason {reason!r} in module_utils.reasons")
    return {"reason": reason, "values": values}


def is_said(value, more=None):
    """Whether a value is a said: a mapping with a known reason (ours, or one of `more`: {lang: {key:
    template}}, e.g. the collection's phrases) and a mapping of values."""
    if not isinstance(value, dict) or not isinstance(value.get("values", {}), dict):
        return False
    key = value.get("reason")
    return key in TEXTS[DEFAULT_LANG] or (more is not None and key in (more.get(DEFAULT_LANG) or {}))


def _template(key, lang, more):
    for table in (TEXTS, more or {}):
        for one in (lang, DEFAULT_LANG):
            template = (table.get(one) or {}).get(key)
            if template is not None:
                return template
    return key


def _value(value, lang, capital=False, more=None):
    if is_said(value, more):
        return _sentence(value, lang, capital, more)
    if isinstance(value, (list, tuple)):
        kept = [v for v in value if v not in (None, "")]
        return ", ".join(_value(v, lang, capital and i == 0, more) for i, v in enumerate(kept))
    return "" if value is None else str(value)  # data stays as it is, its case too (a user name, a URL)


def _sentence(value, lang, capital=False, more=None):
    """The said's template in lang, filled; capital: its first word upper-case when the template starts with
    a word of ours (a value at the start stays as it is, or starts its own said upper-case)."""
    template = _template(value["reason"], lang, more)
    values = value.get("values") or {}
    first = PLACEHOLDER.match(template)

    def one(match):
        name = match.group(1)
        if name not in values:
            return match.group(0)
        return _value(values[name], lang, capital and first is not None and match.start() == 0, more)

    text = PLACEHOLDER.sub(one, template)
    word = template.split(" ", 1)[0]
    if capital and first is None and word.isalpha() and word not in KEEP_CASE:
        text = text[:1].upper() + text[1:]
    return text


def words(value, lang=DEFAULT_LANG, more=None):
    """A said (or a list of them, or data) as words inside a sentence, in lang, as its template starts
    (lower-case for a phrase). more: further templates, {lang: {key: template}}."""
    return _value(value, lang, False, more)


def say(value, lang=DEFAULT_LANG):
    """A said as a sentence in lang (English where lang is unknown), starting upper-case where it starts
    with a word of ours."""
    return _sentence(value, lang, capital=True)


def english(value):
    """A said in English: the `msg` next to it, for Ansible's own output and the logs."""
    return say(value, DEFAULT_LANG)
