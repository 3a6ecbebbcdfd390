"""Every INI setting, declared once: section, key, default, unit, help and bounds (read by appliance.config).

The core's (capture, journal, worker, web, directory, rating, delivery, alerts, SNMP...) are here; those of the
business areas built on it (call centre, callshop, branch sync, AMI, recordings, CRM) in appliance/settings_areas.py.
config.SETTINGS is both."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    section: str
    key: str
    default: Any
    unit: str
    help: str
    choices: tuple | None = None
    minval: float | None = None
    maxval: float | None = None


S = Setting
SETTINGS: tuple[Setting, ...] = (
    S("capture", "url", "", "URL",
      "Where the PBX's call records come from: /dev/ttyUSB0, serial:///dev/ttyS0?baud=9600&bytesize=8&parity=N"
      "&stopbits=1&rtscts=0, socket://HOST:PORT (we connect), tcp-listen://HOST:PORT (the PBX connects to us), "
      "file:///PATH (follow a file). Empty: `callbox run` replays the built-in virtual PBX."),
    S("capture", "reconnect_min_s", 1.0, "seconds", "First wait before reconnecting a lost link.", minval=0.01),
    S("capture", "reconnect_max_s", 30.0, "seconds", "Longest wait between reconnect attempts (backoff doubles).",
      minval=0.01),
    S("capture", "idle_flush_s", 0.5, "seconds",
      "Silence after which a trailing CR is taken as a complete line (PBXs set to CR-only line ends).", minval=0.01),
    S("capture", "allow", "", "addresses",
      "tcp-listen: the PBX addresses or networks that may connect, comma- or space-separated (10.0.0.5, "
      "192.168.1.0/24, fd00::/64); a connection from elsewhere is closed at once and reported. Empty = any "
      "address (set it on a shared LAN)."),
    S("capture", "max_per_source", 4, "connections",
      "tcp-listen: most connections at once from one address (a PBX opens one); a further one is refused, or "
      "takes the place of one of that address's connections silent for idle_drop_s.", minval=1, maxval=1024),
    S("capture", "max_connections", 32, "connections",
      "tcp-listen: most connections at once in all; a further one is refused, or takes the place of the "
      "connection silent longest (at least idle_drop_s; one that never sent anything first).",
      minval=1, maxval=1024),
    S("capture", "idle_drop_s", 60.0, "seconds",
      "tcp-listen: a connection silent this long may be dropped to make room when a new one finds the limit "
      "reached. Never dropped for silence alone: a PBX may send nothing all night.", minval=1.0),
    S("pbx", "driver", "", "driver key",
      "The PBX driver, e.g. avaya_ipoffice, asterisk_csv, panasonic_kx. Empty: capture journals every line and the "
      "worker waits until one is chosen (the PBX wizard, /setup/pbx), then processes them."),
    S("box", "company", "", "text",
      "The company this box serves, as the first-boot wizard asked for it (page and report headers)."),
    S("box", "branch", "", "text", "The branch (site) this box is at, as the first-boot wizard asked for it."),
    S("box", "usb_path", "", "path",
      "The folder of a USB stick for backups (the Backup page, callbox backup create --usb) when it is not a removable "
      "disk mounted under /media or /run/media, which the box finds itself; empty = only those."),
    S("box", "ntp", "", "host names",
      "NTP servers, space-separated; empty: the operating system's defaults. The first-boot wizard writes them here "
      "and to <data>/timesyncd.conf (systemd-timesyncd's [Time] NTP=)."),
    S("pbx", "timezone", "", "IANA zone",
      "The PBX's clock zone, e.g. Europe/Istanbul; empty = this box's zone. Local PBX times are stored as UTC "
      "plus this zone's offset at the time of the call (DST included)."),
    S("pbx", "group_window_h", 12.0, "hours",
      "Legs with the same call key (IP Office Call ID, Asterisk linkedid) are one call if they start within this "
      "window; the PBX reuses keys after a restart.", minval=0.0, maxval=168.0),
    S("journal", "fsync_interval_ms", 100, "milliseconds",
      "Group-commit interval: received lines reach flash at most this long after arriving (the data at risk on a "
      "power cut).", minval=1, maxval=10000),
    S("journal", "segment_mb", 16, "MiB", "Size at which the journal starts a new segment file.", minval=1,
      maxval=1024),
    S("journal", "retain_days", 400, "days",
      "Processed journal segments older than this are deleted. Unprocessed data is never deleted.", minval=1),
    S("journal", "retain_mb", 4096, "MiB",
      "Processed journal segments beyond this total size are deleted, oldest first. Unprocessed data is never "
      "deleted.", minval=1),
    S("worker", "batch_lines", 5000, "lines", "Most journal lines parsed and stored in one transaction.",
      minval=1, maxval=100000),
    S("worker", "poll_ms", 200, "milliseconds", "How often the worker looks for new journal lines when idle.",
      minval=10, maxval=10000),
    S("web", "host", "127.0.0.1", "address", "Address the web UI listens on (0.0.0.0 for the whole LAN)."),
    S("web", "port", 8443, "TCP port", "Port of the web UI: HTTPS, or plain HTTP when tls = no.", minval=1,
      maxval=65535),
    S("web", "tls", True, "yes/no",
      "Serve the web UI over HTTPS with cert_file and key_file. When neither exists, a self-signed certificate for "
      "this box is made on first start; its SHA-256 fingerprint is printed on the console and shown on /setup: "
      "compare it with the one the browser shows the first time. no: plain HTTP, passwords cross the LAN in clear."),
    S("web", "http_port", 8080, "TCP port",
      "With tls: a plain-HTTP port that redirects every request to the HTTPS port (old bookmarks keep working); "
      "0 = none.", minval=0, maxval=65535),
    S("web", "cert_file", "tls/web.crt", "path",
      "PEM certificate (with its chain) of the web UI; relative paths are under the data directory. To use your "
      "own CA's, put it and its key in place of the made ones and restart."),
    S("web", "key_file", "tls/web.key", "path",
      "PEM private key of cert_file, mode 0600 (refused when others may read it)."),
    S("web", "label_setup_code", False, "yes/no",
      "Show the first-boot setup code on the printable /label page too (to anyone who opens it on the network, until "
      "the first administrator exists). no: only the console shows it, and /label says so; yes only where the network "
      "the box first starts on is the installer's own."),
    S("web", "hsts_max_age_s", 0, "seconds",
      "Strict-Transport-Security max-age sent over HTTPS; 0 = none (the default: a browser that got it keeps to "
      "HTTPS for that long, so set it once the certificate is one browsers trust).", minval=0, maxval=63072000),
    S("web", "max_connections", 200, "connections",
      "Connections the web UI serves at once; more wait in the kernel's queue.", minval=4, maxval=5000),
    S("web", "max_per_client", 32, "connections",
      "Connections one client address may hold open at once (a browser opens about 6); more are answered 503 "
      "and closed. Raise it for many users behind one address (a terminal server, a NAT).", minval=1, maxval=5000),
    S("web", "header_timeout_s", 10.0, "seconds",
      "A new connection must send its whole request line and headers within this time, else it is closed "
      "(slowloris).", minval=0.5, maxval=600),
    S("web", "io_timeout_s", 30.0, "seconds",
      "Longest wait for the next piece of a request body, or for a client to take the next piece of a reply.",
      minval=0.5, maxval=3600),
    S("web", "keepalive_timeout_s", 15.0, "seconds",
      "An idle kept-alive connection is closed when its next request has not fully arrived within this time.",
      minval=0.5, maxval=600),
    S("web", "keepalive_requests", 100, "requests",
      "Requests served on one connection before it is closed (the browser opens a new one).", minval=1,
      maxval=100000),
    S("pbx", "tenant", "default", "tenant code",
      "The tenant (company) this PBX's calls belong to; calls are attributed only within it."),
    S("pbx", "tenant_by_source", "", "lines",
      "Several PBXs of different tenants on one box: one line per PBX, SOURCE_PREFIX = TENANT_CODE, matched "
      "against each journal entry's source (tcp:10.0.0.5: = acme, serial:/dev/ttyUSB0 = globex); the longest "
      "matching prefix wins, no match: [pbx] unmapped_tenant. A call belongs to the tenant of its first leg's source."),
    S("pbx", "unmapped_tenant", "", "tenant code",
      "With tenant_by_source: the tenant of a source no prefix matches; empty = its lines are quarantined with the "
      "reason (the journal keeps them: `callbox reprocess` stores them once the source is mapped), never filed "
      "under [pbx] tenant by accident. Without tenant_by_source every source is [pbx] tenant's."),
    S("directory", "tenant", "default", "tenant code",
      "The tenant (company) of directory entries that do not name one (LDAP, a CSV without a tenant column)."),
    S("directory", "precedence", "ldap, csv", "source list",
      "Sources in order of precedence: for each field the first source with a value wins; different values "
      "in other sources are reported as conflicts. A source takes part when it is configured."),
    S("directory", "field_precedence", "", "field=sources; ...",
      "Per-field exceptions to precedence, e.g. 'cost_centre=csv,ldap; extensions=csv,ldap'. Fields: "
      "first_name, last_name, email, branch, department, cost_centre, extensions."),
    S("directory", "csv", "", "path", "A CSV file (layout in provisioning/directory/README.md) read by every sync."),
    S("directory", "sync_every_min", 60, "minutes",
      "How often the background-jobs process syncs the directory from its sources (csv, [ldap] url): at "
      "the UTC minutes that are multiples of it (60: every hour on the hour; 1440: at 00:00 UTC); 0 = no periodic "
      "sync (`callbox directory sync` still works).",
      minval=0, maxval=10080),
    S("directory", "create_departments", True, "yes/no",
      "A sync creates branches, departments and cost centres it has not seen (reported as changes). 'no' keeps "
      "the organisation fixed: unknown names are reported as problems and left empty."),
    S("directory", "hunt_groups", "", "lines",
      "The PBX's hunt groups, one per line: NUMBER = NAME (200 = Sales). A call to such a number is shown as "
      "hunt group 'Sales' (200), not as a call to an extension; IP Office and Cisco name or number the group a "
      "call came through themselves (shown on the call's page)."),
    S("ldap", "url", "", "URL", "Directory server: ldap://HOST[:PORT] or ldaps://HOST[:PORT]; empty = no LDAP sync."),
    S("ldap", "starttls", False, "yes/no", "Upgrade an ldap:// connection with StartTLS before binding."),
    S("ldap", "ca_file", "", "path", "PEM file of the CA that signed the server's certificate (ldaps, StartTLS); "
      "empty = the system's CAs."),
    S("ldap", "tls_verify", True, "yes/no", "Check the server's certificate and name (ldaps, StartTLS)."),
    S("ldap", "bind_dn", "", "DN", "Account the box binds as, e.g. CN=callbox,OU=Service,DC=example,DC=com "
      "(AD also takes callbox@example.com); empty = anonymous."),
    S("ldap", "password_file", "", "path", "File holding bind_dn's password (first line; mode 0600: refused when "
      "others may read it); a relative path is from this INI file's folder (the data directory for "
      "<data>/callbox.ini)."),
    S("ldap", "password", "", "secret", "Password of bind_dn written in this file: prefer password_file, which keeps "
      "the secret out of the configuration."),
    S("ldap", "base_dn", "", "DN", "Where the search starts, e.g. OU=Staff,DC=example,DC=com."),
    S("ldap", "filter", "(&(objectCategory=person)(objectClass=user)"
      "(!(userAccountControl:1.2.840.113556.1.4.803:=2)))", "LDAP filter",
      "Which entries are people (the default: AD users that are not disabled)."),
    S("ldap", "paged_size", 500, "entries", "Entries per page of the paged search (AD returns at most 1000 "
      "per page).", minval=1, maxval=10000),
    S("ldap", "timeout_s", 10, "seconds", "Connect and receive timeout.", minval=1, maxval=300),
    S("ldap", "attr_person_id", "sAMAccountName", "attribute", "The person's id; the same id as a CSV's "
      "person_id, so sources can be consolidated."),
    S("ldap", "attr_first_name", "givenName", "attribute", "First name."),
    S("ldap", "attr_last_name", "sn", "attribute", "Last name."),
    S("ldap", "attr_email", "mail", "attribute", "E-mail address."),
    S("ldap", "attr_branch", "physicalDeliveryOfficeName", "attribute", "Branch (AD: Office)."),
    S("ldap", "attr_department", "department", "attribute", "Department."),
    S("ldap", "attr_cost_centre", "", "attribute", "Cost centre (AD has none built in; e.g. extensionAttribute1)."),
    S("ldap", "attr_extensions", "ipPhone, telephoneNumber", "attributes",
      "Attributes holding extensions; every value counts, several in one value separated by space or /."),
    S("ldap", "attr_tenant", "", "attribute", "Attribute naming the tenant (e.g. company), matched to a tenant's "
      "code or name; empty = every entry belongs to [directory] tenant."),
    S("ldap", "extension_digits", 0, "digits", "Numbers longer than 6 digits (e.g. +90 232 555 0214) give their "
      "last N digits as the extension; 0 = such numbers are ignored.", minval=0, maxval=12),
    S("numbers", "country", "", "ISO 3166 code",
      "Home country of the PBX (TR, CZ, NO...): how dialled numbers are read and classified. Empty: calls are "
      "neither classified nor priced."),
    S("numbers", "access_codes", "", "digits, comma-separated",
      "Outside-line access codes the PBX prints before the number (9 or 0); empty when it prints none."),
    S("numbers", "area_codes", "", "digits, comma-separated",
      "Home area code(s) without the trunk prefix (Istanbul: 212, 216): calls there are local, and the first "
      "is prepended to local numbers dialled without it. Required where the country has area codes (TR), not "
      "allowed where it has none (CZ, NO)."),
    S("numbers", "extensions", "", "regular expression",
      "Internal numbers (whole number), e.g. [1-7][0-9]{2}."),
    S("numbers", "overrides", "", "lines",
      "One per line: PREFIX = kind; operator=NAME; region=NAME (each part optional). PREFIX is +E.164 digits "
      "(+90444) or a short number (1880); the longest matching prefix wins."),
    S("numbers", "language", "en", "language code", "Language of region and operator names (en, tr...)."),
    S("rating", "plan", "", "PROVIDER / PLAN",
      "The stored tariff plan (callbox tariff import) that prices outgoing calls; empty = the only stored plan."),
    S("rating", "max_call_min", 0, "minutes",
      "Calls talking longer than this are taken for lines that failed to release (analogue trunks): priced as "
      "this long, flagged `capped` and listed by `callbox calls --capped`. 0 = no cap.", minval=0, maxval=10080),
    S("rating", "transfer_charge", "first", "first|target",
      "Who pays a transferred call: first = the extension that made it; target = the last leg's extension (one "
      "price for the whole conversation; the transferring person keeps ring and talk time without cost). Bills, "
      "reports, their exports and the home page all follow it.",
      choices=("first", "target")),
    S("rating", "trunk_caps", "", "TRUNK = MIN, ...",
      "Talk-time caps per trunk (RAT-5), comma-separated TRUNK = MINUTES; TRUNK may use * and ? (Line 1.* = 60); "
      "the first match wins, no match: max_call_min. A call over its trunk's cap is priced as the cap and flagged."),
    S("rating", "analogue_trunks", "", "TRUNK, ...",
      "Analogue trunks (one call at a time; * and ? allowed): a call still up when the next call on its trunk began "
      "did not release (RAT-5); it is priced up to that start and flagged (the worker checks when idle)."),
    S("log", "level", "INFO", "level", "Application log level.", choices=("DEBUG", "INFO", "WARNING", "ERROR")),
    S("log", "max_kb", 1024, "KiB", "Size at which a log file is rotated (flash: keep it small).", minval=16),
    S("log", "backups", 3, "files", "Rotated log files kept per process.", minval=0, maxval=20),
    S("outbox", "retry_first_s", 60, "seconds",
      "Wait after an item's first failed delivery (e-mail, upload, trap); it doubles after each further "
      "failure up to retry_max_s. Items are kept until delivered or discarded on the outbox page.",
      minval=1, maxval=86400),
    S("outbox", "retry_max_s", 3600, "seconds", "Longest wait between two delivery attempts of an item.",
      minval=1, maxval=604800),
    S("outbox", "keep_days", 30, "days",
      "Delivered and discarded items are listed (without their content) this long, then deleted.",
      minval=0, maxval=3650),
    S("outbox", "claim_s", 900, "seconds",
      "A delivery still running after this long is taken for a crashed worker's, and the item is tried again. "
      "Keep it well above [mail] timeout_s.", minval=60, maxval=86400),
    S("mail", "host", "", "host name", "SMTP server (mail relay) for e-mailed reports and alerts; empty = "
      "e-mail is not sent (items wait in the outbox)."),
    S("mail", "port", 587, "TCP port", "SMTP port: 587 for starttls (submission), 465 for ssl, 25 for none.",
      minval=1, maxval=65535),
    S("mail", "security", "starttls", "starttls|ssl|none",
      "starttls: plain connection upgraded with STARTTLS (required); ssl: TLS from the start (SMTPS); "
      "none: no encryption (then no login is attempted).", choices=("starttls", "ssl", "none")),
    S("mail", "username", "", "login", "SMTP login; empty = send without logging in."),
    S("mail", "password_file", "", "path",
      "File holding the SMTP password (first line; mode 0600: refused when others may read it). It is never "
      "written in this file or in logs."),
    S("mail", "from_address", "", "e-mail address",
      "Sender of the box's e-mails, e.g. Callbox <callbox@example.com>. Required when host is set."),
    S("mail", "ca_file", "", "path",
      "PEM file of the CA that signed the server's certificate; empty = the system's CAs."),
    S("mail", "tls_verify", True, "yes/no", "Check the server's certificate and name (starttls, ssl)."),
    S("mail", "timeout_s", 30, "seconds", "Connect and reply timeout of the SMTP conversation.",
      minval=1, maxval=300),
    S("mail", "language", "en", "en|tr|bg|az|cs|nb",
      "Language of the scheduled reports and limit notices e-mailed to someone without a web account; account "
      "holders get the language they chose on the web.", choices=("en", "tr", "bg", "az", "cs", "nb")),
    S("upload", "targets", "", "lines",
      "File servers reports are exported to, one per line: NAME = URL. URLs: ftp://USER@HOST[:PORT]/DIR, "
      "ftps://... (explicit TLS; ?ca_file=PEM for a private CA), sftp://USER@HOST[:PORT]/DIR (?known_hosts=FILE, "
      "else known_hosts below), smb://USER@HOST[:PORT]/SHARE/DIR (Windows share; ?domain=NAME; encrypted, "
      "?encrypt=no for a server without SMB 3). Secrets are in files: ?password_file=FILE, sftp also "
      "?key_file=FILE (mode 0600: refused when others may read them); relative paths are under the data "
      "directory. FTP: DIR is under the login directory (//DIR from the root); SFTP: DIR is absolute (/~/DIR "
      "under the home directory)."),
    S("upload", "path", "{date:%Y-%m}/{name}", "template",
      "Where a file goes under a target's DIR: fields {name} (file name), {date} (time queued, PBX zone; e.g. "
      "{date:%Y-%m-%d}), {branch} ('all' when none) and {target}; directories are created as needed."),
    S("upload", "known_hosts", "upload_known_hosts", "path",
      "OpenSSH known_hosts file holding the SFTP servers' host keys; a server not in it is refused. Relative "
      "paths are under the data directory."),
    S("upload", "timeout_s", 30, "seconds", "Connect and reply timeout of an upload.", minval=1, maxval=600),
    S("snmp", "managers", "", "lines",
      "SNMP managers that receive the box's traps, one per line: 'v2c udp:HOST[:PORT] community_file=PATH' or "
      "'v3 udp:HOST[:PORT] user=NAME auth_file=PATH priv_file=PATH' (authPriv: SHA and AES-128; udp6:[ADDR] "
      "for IPv6; port 162 by default). Secrets are the first line of their files (mode 0600: refused when "
      "others may read them; relative paths are under the data directory), never written here. Empty = no traps."),
    S("snmp", "engine_id", "", "hex",
      "This box's fixed snmpEngineID, 5-32 bytes in hex (e.g. 8001869f05 followed by a random part, as "
      "`callbox snmp engine-id` prints); the managers' v3 users are keyed on it. Required with v3 managers; "
      "`callbox snmp engine-id` prints a new one."),
    S("alerts", "email", "", "addresses",
      "Who gets the box's alert e-mails (call data stopped, PBX link down, parse failures, journal/flash full, "
      "database error, a rise of PBX cause codes), comma-separated; empty = SNMP traps only. Threshold e-mails "
      "(`callbox alert add`) go to the person instead."),
    S("alerts", "no_data_min", 60, "minutes",
      "Alert when no line came from a PBX for this many minutes of its business hours; 0 = never.",
      minval=0, maxval=10080),
    S("alerts", "business_hours", "* = mon-fri 08:00-18:00", "lines",
      "When each PBX is expected to send call data, in its local time ([pbx] timezone): one line per source, "
      "SOURCE_PREFIX = SCHEDULE, matched against the journal sources like [pbx] tenant_by_source (* = any "
      "other source). SCHEDULE: 'mon-fri 08:00-12:30 13:30-18:00, sat 09:00-13:00', 'daily 00:00-24:00' or "
      "'always'."),
    S("alerts", "link_down_s", 120, "seconds",
      "Alert when the PBX link (or the capture process) has been down this long.", minval=0, maxval=86400),
    S("alerts", "parse_failure_pct", 10, "percent",
      "Alert when more than this share of the lines received in the window could not be read (quarantined).",
      minval=1, maxval=100),
    S("alerts", "parse_failure_window_min", 60, "minutes", "The window of parse_failure_pct.",
      minval=1, maxval=1440),
    S("alerts", "parse_failure_min", 5, "lines",
      "Fewer quarantined lines than this in the window never alert (one bad line of two is not a trend).",
      minval=1),
    S("alerts", "journal_high_pct", 90, "percent",
      "Alert when the journal uses this much of [journal] retain_mb (clears 5 points below).", minval=1,
      maxval=1000),
    S("alerts", "db_check_min", 60, "minutes",
      "How often the alert pass reads the whole database for damage (PRAGMA quick_check). It reads every page, "
      "which on a large database on flash costs more than the rest of the pass; once damage is found, every pass "
      "checks again until it is gone.", minval=1, maxval=1440),
    S("alerts", "disk_low_pct", 10, "percent",
      "Alert when the data partition has this little space free (clears 5 points above).", minval=0, maxval=99),
    S("alerts", "code_rise_factor", 3.0, "times",
      "A PBX cause/error code rises sharply when its count in the last hour is above this many times its mean "
      "count in the same hour of the week over the baseline weeks (and above code_rise_floor).", minval=1.0),
    S("alerts", "code_rise_floor", 10, "codes",
      "A code never alerts with this many or fewer occurrences in the last hour.", minval=1),
    S("alerts", "code_baseline_weeks", 4, "weeks", "Weeks of history that make a code's hour-of-week baseline.",
      minval=1, maxval=52),
)
