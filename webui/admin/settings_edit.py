"""Editing the box-wide settings of /settings (issue 20): numbering ([numbers]), e-mail ([mail]), the file servers
([upload]), the SNMP managers ([snmp]) and the hunt groups' names ([directory] hunt_groups), checked by the
functions the CLI and the processes use, written to the INI file the processes read (config.update: atomically,
every other line and comment kept).

What restarts: capture, the worker and the background jobs each watch the file and restart only when a setting they
read changed (appliance.reload); the web applies the new values to itself at once (Config.set). The page says which
processes restart. The SMTP password is never put in the INI file: a password typed here goes to <data>/mail.password
(mode 0600), which [mail] password_file then names.
"""
from __future__ import annotations

import email.utils
import logging
import os
from pathlib import Path

from appliance import config, reload
from appliance.delivery import mail, upload
from appliance.directory import hunt_groups
from appliance.rating import numbering
from appliance.snmp import traps as snmp
from webui.i18n import _

log = logging.getLogger(__name__)

# the keys each form edits, in the form's order
FIELDS: dict[str, tuple[str, ...]] = {
    "numbers": ("country", "access_codes", "area_codes", "extensions"),
    "mail": ("host", "port", "security", "from_address", "username", "password_file", "tls_verify", "timeout_s",
             "language"),
    "upload": ("targets", "path"),
    "snmp": ("managers", "engine_id"),
    "directory": ("hunt_groups",),
}
MULTILINE = {("upload", "targets"), ("snmp", "managers"), ("directory", "hunt_groups")}
PASSWORD_FILE = "mail.password"     # under the data directory (relative paths in [mail] are)


def _check_numbers(cfg: config.Config) -> None:
    values = {k: v for k, v in vars(cfg.section("numbers")).items() if v != ""}
    if values.get("country"):
        numbering.plan_from_options(values)    # ValueError naming the bad key, as the worker would stop on


def _check_mail(cfg: config.Config) -> None:
    s = cfg.section("mail")
    if s.host and not s.from_address:
        raise config.ConfigError(_("[mail] from_address is required when host is set."))
    if s.from_address:
        mail.check_address(email.utils.parseaddr(s.from_address)[1] or s.from_address)
    if s.username and s.security == "none":
        raise config.ConfigError(_("[mail] username needs security starttls or ssl: the password must not cross "
                                   "the network in clear."))
    if s.username and not s.password_file:
        raise config.ConfigError(_("[mail] username is set but there is no password (password_file)."))


def _check_hunt_groups(cfg: config.Config) -> None:
    hunt_groups.parse(cfg.section("directory").hunt_groups)


CHECKS = {"numbers": _check_numbers, "mail": _check_mail, "upload": upload.targets, "snmp": snmp.settings,
          "directory": _check_hunt_groups}
NAMES = {"capture": lambda: _("capture"), "worker": lambda: _("the worker"), "jobs": lambda: _("background jobs")}


def current(cfg: config.Config, section: str) -> dict[str, str]:
    """The form's values: what is set (raw), else the default as the INI would spell it."""
    typed, raw = vars(cfg.section(section)), cfg.raw_section(section)
    out = {}
    for key in FIELDS[section]:
        if key in raw:
            out[key] = raw[key].strip()
        else:
            v = typed[key]
            out[key] = ("yes" if v else "no") if isinstance(v, bool) else str(v)
    return out


def _write_password(data_dir: Path, password: str) -> None:
    path = Path(data_dir) / PASSWORD_FILE
    tmp = path.with_name(f".{PASSWORD_FILE}.new")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(password + "\n")
    os.replace(tmp, path)


def save(path: Path, cfg: config.Config, data_dir: Path, section: str, form: dict[str, str]) -> tuple[str, dict]:
    """Write the form's changed values of `section` to the INI file at `path` and apply them to the web's `cfg`.

    Returns (the line to show, the form's values). ConfigError or ValueError (the file unchanged) when the new
    values do not pass the section's checks."""
    if section not in FIELDS:
        raise ValueError(_("Unknown settings section {name!r}.").format(name=section))
    before = current(cfg, section)
    values = {}
    for key in FIELDS[section]:
        raw = form.get(key, before[key]).replace("\r\n", "\n").replace("\r", "\n")
        v = "\n".join(line.strip() for line in raw.split("\n") if line.strip()) if (section, key) in MULTILINE \
            else raw.strip()
        if "\n" in v and (section, key) not in MULTILINE:
            raise ValueError(_("[{section}] {key}: one line only.").format(section=section, key=key))
        values[key] = v
    password = form.get("password", "") if section == "mail" else ""
    if password and not values["password_file"]:
        values["password_file"] = PASSWORD_FILE
    changed = {k: v for k, v in values.items() if v != before[k]}
    if not changed and not password:
        return _("Nothing changed."), values

    def check(new: config.Config) -> None:
        new.section(section)      # types, choices and bounds: the ConfigError the processes would stop on
        CHECKS[section](new)

    if changed:
        config.update(path, {section: changed}, check)
    if password:
        _write_password(data_dir, password)
    for key, value in changed.items():
        cfg.set(section, key, value)
    restarting = reload.restarted_by({(section, k) for k in changed})   # a password alone: read at each send
    log.info("settings: [%s] %s changed in %s; restarting: %s", section, ", ".join(sorted(changed)) or "password",
             path, ", ".join(restarting) or "nothing")
    if restarting:
        names = ", ".join(NAMES[p]() for p in restarting)
        return _("Saved and applied. Restarting to read it: {processes}.").format(processes=names), values
    return _("Saved and applied."), values
