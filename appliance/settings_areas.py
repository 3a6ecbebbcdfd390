"""The INI settings of the business areas built on the core (appliance/settings.py holds the core's and the Setting
record): the call centre, the callshop, branch -> central sync, AMI, call recordings, CRM links and lookups, the SMS
gateway and customer messages."""
from __future__ import annotations

from appliance.settings import Setting

S = Setting
AREAS: tuple[Setting, ...] = (
    # the call-centre KPIs' thresholds (appliance/callcentre/kpis.py DEFINITIONS; README "Call-centre KPIs")
    S("callcentre", "sl_seconds", 20, "seconds",
      "Service level: the share of calls answered within this wait (CONNECT holdtime at most this).", minval=0,
      maxval=86400),
    S("callcentre", "short_abandon_seconds", 5, "seconds",
      "A call abandoned after waiting at most this long is a short abandon: not lost, and out of the service "
      "level's and lost %'s base.", minval=0, maxval=86400),
    S("callcentre", "long_call_seconds", 300, "seconds", "Answered calls talking longer than this are 'over 5 min'.",
      minval=0, maxval=86400),
    S("callcentre", "wrapup_seconds", 0, "seconds",
      "After-call work added to each answered call's handling time (AHT) and to the agent's busy time (occupancy).",
      minval=0, maxval=86400),
    S("callcentre", "wrapup_pause_reasons", "", "reasons",
      "Pause reasons that are after-call work (ACW, Wrap-up: comma-separated, any case): the after-call work report "
      "adds the time paused with them to the configured wrap-up."),
    S("callcentre", "opening_hours", "", "lines",
      "When each queue is open: one line per queue, QUEUE = DAYS HH:MM-HH:MM, ... (support = mon-fri 08:00-18:00, "
      "sat 09:00-13:00); * = ... for every queue without a line of its own. Empty: always open. Calls entered "
      "while a queue is closed are reported apart ('Outside opening hours')."),
    S("callcentre", "agent_targets", "", "lines",
      "Targets per agent: one line per agent as queue_log names it (or * for every other), NAME = metric >= value, "
      "... with metrics answered, calls_per_hour, answer_rate_pct, aht_s, occupancy_pct (* = answer_rate_pct >= 90, "
      "aht_s <= 240). The agent ranking report judges them."),
    S("callcentre", "queue_targets", "", "lines",
      "Targets per queue (or * for every other): QUEUE = metric >= value, ... with metrics offered, answered, "
      "service_level_pct, asa_s, lost_pct, aht_s (* = service_level_pct >= 80, asa_s <= 20, lost_pct <= 5). The "
      "queue ranking report judges them."),
    S("callcentre", "evaluation_form", "", "lines",
      "The call evaluation form: one criterion per line with its most points, CRITERION = POINTS (Greeting = 5); "
      "supervisors score queue calls on it from the caller journeys report. Empty = no evaluation."),
    S("callcentre", "closed_days", "", "dates",
      "Days every queue is closed (public holidays): ISO dates, comma-separated (2026-12-25, 2027-01-01)."),
    # the wallboard's colours (appliance/callcentre/live.py grade): green at the target, amber near it, red beyond
    S("callcentre", "target_service_level_pct", 80.0, "percent", "Wallboard: the service level to reach today.",
      minval=0.0, maxval=100.0),
    S("callcentre", "target_asa_s", 20.0, "seconds", "Wallboard: the average speed of answer not to exceed today.",
      minval=0.0),
    S("callcentre", "target_lost_pct", 5.0, "percent", "Wallboard: the share of lost calls not to exceed today.",
      minval=0.0, maxval=100.0),
    S("callcentre", "wait_warn_s", 60, "seconds", "Wallboard: a caller waiting longer than this turns the queue amber "
      "(red at 1.5 times).", minval=1),
    S("callcentre", "queues", "", "lines",
      "Queues whose thresholds differ: one line per queue, QUEUE = key=value, ... with the keys above "
      "(support = sl_seconds=30, short_abandon_seconds=3)."),
    S("callcentre", "queue_units", "", "lines",
      "The department or branch each queue belongs to: one line per queue, QUEUE = department NAME or QUEUE = branch "
      "NAME (directory names). Department and branch supervisors see their unit's queues; who sees every call of "
      "the box sees every queue."),
    # the callshop (appliance/shop/; README "Callshop")
    S("shop", "booths", "", "lines",
      "The callshop's booths: one per line EXTENSION = NAME (201 = Booth 1). Their outgoing calls are sold at the "
      "price list and paid to the cashier; empty = no callshop."),
    S("shop", "price_list", "", "list code",
      "The price list (callbox pricelist import) booth calls are sold at; empty = the only stored list."),
    S("shop", "round_to", "0", "amount",
      "Checkout: the total to pay is rounded up to a multiple of this (0.05, 0.25, 1); 0 = to the currency's "
      "minor unit only."),
    S("shop", "low_balance", "0", "amount",
      "The shop's prepaid account with its provider (callbox shop topup): `callbox shop balance` warns, and the alert "
      "pass raises alert_raised (SNMP trap, e-mail to [alerts] email) once, when the balance is below this (in the "
      "account's currency); 0 = no warning."),
    S("shop", "items", "", "lines",
      "Additional items the cashier can sell at the checkout with the calls: one per line NAME = PRICE (Internet 30 "
      "min = 10.00, Çay = 5.00), in the price list's sell currency; empty = calls only."),
    S("shop", "lock_family", "", "name",
      "Lock and unlock booths over AMI (Asterisk, [ami] host set): the cashier's 'give' unlocks a booth with DBPut "
      "FAMILY/EXTENSION = open and 'free' locks it with DBDel; the booths' dialplan refuses to dial unless the key "
      "is open (README \"Callshop\"). Empty = no lock: the page keeps a 'booth in use by' mark only."),
    # customer billing (appliance/customers/; README "Customers, prepaid accounts and invoices")
    S("customers", "tax_rates", "", "lines",
      "Tax rate per customer country: one line per country COUNTRY = PERCENT (TR = 20, DE = 19), * = PERCENT for "
      "every other. A customer with a country (callbox customer edit --country) is invoiced at its rate; one "
      "without, at their own --tax-rate. Empty: every customer at their own rate."),
    S("customers", "invoice_day", 0, "day of month",
      "The automatic monthly invoice run (the jobs process): on this day of each month (1-28, PBX local time, from "
      "invoice_time on) every postpaid customer is invoiced for the month before and the invoice mailed to their "
      "e-mail through the outbox, in their language; 0 = off (invoices are issued by hand).", minval=0, maxval=28),
    S("customers", "invoice_time", "06:00", "HH:MM", "The automatic invoice run's time of day (PBX local time)."),
    # branch -> central sync (APP-1; appliance/sync/, appliance/central/; README "Branches and a central box")
    S("central", "listen", "", "HOST:PORT",
      "Make this box a central: `callbox run` receives branch boxes' calls over HTTPS (mutual TLS, certificates "
      "from this box's own CA) on this address, e.g. 0.0.0.0:8444. Empty = not a central."),
    S("central", "database", "", "URL",
      "Where the central keeps its branches' calls: empty = this box's own database (SQLite); "
      "postgresql://USER@HOST:PORT/DBNAME = a PostgreSQL server (README \"PostgreSQL at the central\"). The password "
      "goes in password_file, never here."),
    S("central", "password_file", "", "path",
      "File holding the PostgreSQL user's password (first line; mode 0600: refused when others may read it); a "
      "relative path is from this INI file's folder. Empty = no password (a local trust or peer login)."),
    S("central", "silent_min", 60, "minutes",
      "Alert (sync_failing, and e-mail to [alerts] email) when an enrolled branch has not been heard from for this "
      "long; sync_ok when it is again. A branch says it is up every [sync] period_s even with nothing to send.",
      minval=1, maxval=100000),
    S("sync", "central", "", "URL",
      "The central's https://HOST:PORT when it differs from the URL the box was enrolled with (`callbox sync "
      "enroll`); empty = that URL."),
    S("sync", "period_s", 30.0, "seconds",
      "How often an enrolled branch sends the calls changed since its last batch (and retries after a failure).",
      minval=0.1, maxval=86400),
    S("sync", "timeout_s", 30, "seconds", "Connect and reply timeout of a request to the central.", minval=1,
      maxval=600),
    S("sync", "archive_journal", False, "yes/no",
      "Also upload the raw journal's sealed segments to the central (checksummed, resumed after a cut), kept there "
      "under its data directory per branch; a segment is pruned here only once the central has confirmed it, "
      "whatever the journal's retention (README \"Branches and a central box\")."),
    S("sync", "failing_min", 15, "minutes",
      "Alert (sync_failing, and e-mail to [alerts] email) when every send to the central has failed for this long; "
      "sync_ok when one works again.", minval=1, maxval=100000),
    # the Asterisk Manager Interface (appliance/ami/; README "Operator panel and AMI"): live queue state for the panel
    S("ami", "host", "", "host name",
      "The Asterisk server's AMI address (manager.conf [general] bindaddr); empty = no AMI: the operator panel "
      "shows what queue_log gives, a few seconds late, and says so."),
    S("ami", "port", 5038, "TCP port", "AMI port (manager.conf port).", minval=1, maxval=65535),
    S("ami", "username", "", "login", "The manager.conf user the box logs in as (read = agent,call; write = agent, "
      "call for QueueAdd/QueueRemove/QueuePause and Originate)."),
    S("ami", "secret_file", "", "path",
      "File holding that user's secret (first line; mode 0600: refused when others may read it); relative paths are "
      "under the data directory. Never written in this file or in logs."),
    S("ami", "connect_timeout_s", 5.0, "seconds", "Connect and login timeout.", minval=0.1, maxval=120),
    S("ami", "action_timeout_s", 5.0, "seconds",
      "Longest wait for the answer to an action (pause, log in to a queue); the page then says it failed.",
      minval=0.1, maxval=120),
    S("ami", "reconnect_min_s", 1.0, "seconds", "First wait before reconnecting a lost AMI link.", minval=0.01),
    S("ami", "reconnect_max_s", 60.0, "seconds",
      "Longest wait between reconnects (the wait doubles after each failure; a refused login waits this long).",
      minval=0.01),
    S("ami", "ping_s", 30.0, "seconds", "A silent link is checked with a Ping after this long.", minval=1,
      maxval=3600),
    S("ami", "max_frame_kb", 64, "KiB", "Longest AMI message accepted; a longer one drops the link (garbage).",
      minval=4, maxval=4096),
    S("ami", "interface", "PJSIP/{extension}", "template",
      "The queue member interface of an agent's extension: PJSIP/{extension}, SIP/{extension}, "
      "Local/{extension}@from-queue/n (FreePBX)."),
    S("ami", "queues", "", "queue names",
      "Queues an agent may log in to and out of on the panel, comma-separated; empty = only the queues the agent "
      "is already a member of."),
    S("ami", "pause_reasons", "Break, Lunch, Meeting, Training, Back office", "list",
      "Pause reasons an agent picks from on the panel, comma-separated (sent as the QueuePause Reason)."),
    # the campaign dialer (CC-6; appliance/dialer/, README "Campaign dialer"): its loop runs in the jobs process and
    # dials through the [ami] link
    S("dialer", "channel", "Local/{number}@from-internal", "template",
      "The channel the dialer originates to the customer: {number} is what the PBX dials (see number_format); "
      "e.g. Local/{number}@from-internal (FreePBX: the outbound routes decide the trunk), PJSIP/{number}@trunk1. "
      "When the customer answers, the call is put through to the agent's extension in agent_context."),
    S("dialer", "number_format", "national", "choice",
      "How the number is handed to the PBX: e164 (+905321234567), digits (905321234567), national (05321234567, "
      "the home country's way; other countries' numbers as 00 + digits).",
      choices=("e164", "digits", "national")),
    S("dialer", "agent_context", "from-internal", "context",
      "The dialplan context whose extension NNN rings the agent at extension NNN once the customer answered."),
    S("dialer", "caller_id", "", "caller ID",
      "Caller ID shown to the customer (\"Sales\" <902121234567>); empty = what the PBX's outbound route sets."),
    S("dialer", "ring_timeout_s", 30, "seconds",
      "How long the customer's phone rings before the attempt counts as no answer.", minval=5, maxval=300),
    S("dialer", "tick_s", 1.0, "seconds",
      "How often the dialing loop looks for agents ready and calls asked for.", minval=0.1, maxval=60),
    S("dialer", "results", "Sale, Interested, Call back later, Not interested, Wrong number, Do not call", "list",
      "Results an agent picks from after a call (comma-separated). A result named exactly 'Do not call' also puts "
      "the number on the do-not-call list."),
    S("dialer", "crm_timeout_s", 15.0, "seconds", "Longest wait for a campaign's CRM URL (JSON) when importing.",
      minval=1, maxval=300),
    S("dialer", "max_contacts", 100000, "contacts", "Largest campaign accepted from a CSV file or a CRM URL.",
      minval=1, maxval=10000000),
    # call recordings (APP-5; appliance/recordings/, webui/recordings.py; README "Call recordings")
    S("recordings", "folder", "", "path",
      "The folder (local, or a mounted share) holding the PBX's call recordings, e.g. /var/spool/asterisk/monitor; "
      "empty = no recordings. Only files under it are ever served."),
    S("recordings", "template", "{recordingfile}, {userfield}, {date:%Y/%m/%d}/*-{uniqueid}.*", "templates",
      "Where a call's recording is under folder, comma-separated templates tried in order; fields {recordingfile} "
      "(the CDR's recordingfile field, where the PBX's records give one: Asterisk's Master.csv has none), "
      "{userfield} (the CDR userfield, where a dialplan puts the MixMonitor file), {uniqueid} (each leg's uniqueid "
      "or call key), {linkedid}, {extension}, {party}, {date} (the call's start, PBX time, e.g. {date:%Y/%m/%d}); "
      "* and ? match any characters. The default finds FreePBX's MixMonitor files (YYYY/MM/DD/...-UNIQUEID.wav)."),
    S("recordings", "retention_days", 0, "days",
      "Recordings of calls older than this are not offered any more; 0 = as long as the PBX keeps them.",
      minval=0, maxval=36500),
    # links to the company's CRM / HRM (appliance/crm; README "CRM links")
    S("crm", "call_url", "", "URL template",
      "A call's or caller's record in the CRM, e.g. https://crm.example.com/contacts?phone={number}: shown on the "
      "call page and for the caller on the operator panel; fields {number} (the other party), {extension}, "
      "{person} (the directory person's id), {account_code}, percent-encoded. Empty = no link."),
    S("crm", "person_url", "", "URL template",
      "A person's record in the HRM or CRM, e.g. https://hr.example.com/people/{person}: shown on the person page; "
      "fields {person}, {extension}. Empty = no link."),
    # CRM lookups: a caller's name from the CRM over HTTP JSON (appliance/crm/lookup.py; README "CRM lookups")
    S("crm", "lookup_url", "", "URL template",
      "Where the CRM answers who a number is, as JSON, e.g. https://crm.example.com/api/find?phone={number}; field "
      "{number} (percent-encoded). The operator panel shows the name it gives beside the caller, never waiting for "
      "it. Empty = no lookups (customers' numbers of the box still name callers)."),
    S("crm", "lookup_name", "name", "JSON path",
      "Where the name is in the answer: a key, or keys and list indexes joined by dots (data.0.full_name)."),
    S("crm", "lookup_timeout_s", 2.0, "seconds", "A lookup not answered within this fails (the panel says so).",
      minval=0.1, maxval=60),
    S("crm", "lookup_cache_s", 600, "seconds",
      "A name found (or not found) is kept this long; a failed lookup is tried again after a tenth of it.",
      minval=0, maxval=86400 * 7),
    # the SMS gateway (appliance/delivery/sms.py; README "SMS gateway"): an HTTP request per message, from templates
    S("sms", "url", "", "URL template",
      "The gateway's URL, e.g. https://sms.example.com/send?to=${to}&text=${text}; fields ${to}, ${text}, "
      "${sender}, ${secret} (percent-encoded). Empty = no SMS are sent (the rules that would send one queue none)."),
    S("sms", "method", "POST", "HTTP method", "GET (the URL only) or POST (the URL and the body).",
      choices=("GET", "POST")),
    S("sms", "body", "", "template",
      "The POST body with the same fields, each escaped for the content type: JSON string content for "
      "application/json ({\"to\": \"${to}\", \"text\": \"${text}\"}), form-encoded for "
      "application/x-www-form-urlencoded (to=${to}&text=${text}), as is otherwise. $$ is a dollar sign."),
    S("sms", "content_type", "application/x-www-form-urlencoded", "MIME type", "The POST body's Content-Type."),
    S("sms", "header", "", "header template",
      "One more request header with the same fields, e.g. Authorization: Bearer ${secret}. Empty = none."),
    S("sms", "secret_file", "", "path",
      "File holding the gateway's key or password for ${secret} (first line; mode 0600); relative paths are under "
      "the data directory."),
    S("sms", "sender", "", "sender id", "The sender name or number for ${sender}."),
    S("sms", "ok_pattern", "", "regular expression",
      "The gateway's answer must match this (searched in the body) besides a 2xx status; gateways that answer 200 "
      "with an error need it, e.g. \"status\": *\"ok\". Empty = any 2xx is sent."),
    S("sms", "timeout_s", 10.0, "seconds", "A gateway not answering within this fails the try (the outbox retries).",
      minval=0.5, maxval=300),
    # notification rules (appliance/messages/rules.py; README "Customer messages"), run by the jobs process
    S("messages", "lost_caller_sms", "", "text template",
      "SMS to a caller a queue lost (abandoned, timed out: short abandons not), e.g. We missed your call at ${time}, "
      "we will call you back. Fields ${time} (HH:MM local), ${queue}, ${name} (the customer's, or empty). At most "
      "one a number a day. Empty = none."),
    S("messages", "lost_caller_window_min", 60, "minutes",
      "Only callers lost in this many last minutes get the SMS (a box coming back after a day sends no stale ones).",
      minval=1, maxval=1440),
    S("messages", "lost_caller_prefixes", "", "prefixes",
      "Only callers whose number starts with one of these (comma-separated, e.g. 05, +905, 905: the mobile "
      "numbers, which can receive an SMS) get the lost-caller SMS. Empty = every caller with enough digits."),
    S("messages", "notes_email", True, "yes/no",
      "E-mail a copy of every note on a customer to the customer's notes address (set on the customer page)."),
)
