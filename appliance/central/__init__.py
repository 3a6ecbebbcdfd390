"""Branch → central sync, the central's side: its small CA, branches and their enrolment, the HTTPS receiver, the
received calls (APP-1)."""
