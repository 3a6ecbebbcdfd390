"""SNMP: traps through the outbox, and the health values served to snmpd (pass_persist)."""
