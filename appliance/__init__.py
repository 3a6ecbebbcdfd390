"""Callbox: call-accounting appliance firmware.

peewee imports the PostgreSQL drivers it finds (psycopg2 and libpq, about 3 MB of proportional set size in each
process, 13 MB over the box: issue 14) when it is itself imported, in every process. Only a central whose
[central] database is postgresql://... uses them. So peewee is imported here without them (a finder on
sys.meta_path hides them while peewee's module runs, then steps aside), and appliance.store.central_db loads
psycopg2 when it makes a PostgreSQL database (pg_driver there). A box on SQLite never loads psycopg2.
"""
import sys

__version__ = "0.1.0"

PG_DRIVERS = ("psycopg2", "psycopg2cffi", "psycopg")   # what peewee tries to import (peewee.py, its top)


class _PeeweeWithoutPostgres:
    """A sys.meta_path finder for peewee alone: the usual spec, its module run with the drivers hidden (None in
    sys.modules makes `import psycopg2` raise ImportError, which peewee takes as "not installed")."""

    def find_spec(self, name, path=None, target=None):
        if name != "peewee":
            return None
        sys.meta_path.remove(self)   # once: peewee is imported once
        for finder in sys.meta_path:
            spec = finder.find_spec(name, path, target) if hasattr(finder, "find_spec") else None
            if spec is not None and spec.loader is not None:
                spec.loader = _HidingLoader(spec.loader)
                return spec
        return None

    def invalidate_caches(self) -> None:
        pass


class _HidingLoader:
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        hidden = {name: sys.modules[name] for name in PG_DRIVERS if name in sys.modules}
        for name in PG_DRIVERS:
            sys.modules[name] = None   # type: ignore[assignment]
        try:
            self.loader.exec_module(module)
        finally:
            for name in PG_DRIVERS:
                del sys.modules[name]
            sys.modules.update(hidden)

    def __getattr__(self, name):   # get_source, get_filename, ... as the real loader has them
        return getattr(self.loader, name)


if "peewee" not in sys.modules:
    sys.meta_path.insert(0, _PeeweeWithoutPostgres())
