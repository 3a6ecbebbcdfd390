"""The campaign dialer (issue 16, CC-6): campaigns of numbers from a CSV file or a CRM URL, called in preview or
progressive mode through AMI Originate within calling windows, retried per outcome, never calling the do-not-call
list; the agent's result and note; progress, results and the CSV export. README "Campaign dialer"."""
