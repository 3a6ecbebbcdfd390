"""The PBX wizard (APP-3, CAP-5): the link chosen from a form, the lines it brings, the drivers that read them."""
