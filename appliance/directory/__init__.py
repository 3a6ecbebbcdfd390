"""The directory: the organisation (tenants, branches, departments, people, extensions, trunks) and its sources."""
