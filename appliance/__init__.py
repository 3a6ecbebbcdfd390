"""Callbox: call-accounting appliance firmware.

Two libraries import, when they are imported, optional packages the box does not use (issue 14, a 512 MB board):
- peewee imports the PostgreSQL drivers it finds (psycopg2 and libpq: about 3 MB of proportional set size in each
  process, 13 MB over the box), which only a central whose [central] database is postgresql://... uses;
  appliance.store.central_db loads psycopg2 when it makes a PostgreSQL database (pg_driver there);
- huey's consumer imports gevent (about 2.5 MB in the jobs process) for its greenlet workers; appliance.jobs runs
  thread workers.
So these two modules are imported without them: a finder on sys.meta_path runs each one's module with the packages
it would take hidden (None in sys.modules: `import psycopg2` raises ImportError, which both take as "not installed"),
then steps aside. A package already imported (the web's gevent) is left alone.
"""
import sys

__version__ = "0.1.0"

# module: the optional packages its import would load (peewee.py and huey/consumer.py, at their top)
HIDDEN_FROM = {"peewee": ("psycopg2", "psycopg2cffi", "psycopg"), "huey.consumer": ("gevent",)}


class _WithoutOptional:
    """A sys.meta_path finder for the HIDDEN_FROM modules only: their usual spec, their module run by _HidingLoader."""

    def __init__(self) -> None:
        self.left = {name for name in HIDDEN_FROM if name not in sys.modules}

    def find_spec(self, name, path=None, target=None):
        if name not in self.left:
            return None
        self.left.discard(name)   # each is imported once
        if not self.left:
            sys.meta_path.remove(self)
        for finder in sys.meta_path:
            spec = finder.find_spec(name, path, target) if finder is not self and hasattr(finder, "find_spec") \
                else None
            if spec is not None and spec.loader is not None:
                spec.loader = _HidingLoader(spec.loader, HIDDEN_FROM[name])
                return spec
        return None

    def invalidate_caches(self) -> None:
        pass


class _HidingLoader:
    def __init__(self, loader, hide: tuple[str, ...]):
        self.loader, self.hide = loader, hide

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module) -> None:
        hidden = [name for name in self.hide if name not in sys.modules]
        for name in hidden:
            sys.modules[name] = None   # type: ignore[assignment]
        try:
            self.loader.exec_module(module)
        finally:
            for name in hidden:
                del sys.modules[name]

    def __getattr__(self, name):   # get_source, get_filename, ... as the real loader has them
        return getattr(self.loader, name)


if any(name not in sys.modules for name in HIDDEN_FROM):
    sys.meta_path.insert(0, _WithoutOptional())
