"""Callbox web UI: a bottle app served by gevent.pywsgi in its own process (`python -m webui`)."""
import os   # not pathlib: `python -m webui` imports this package before __main__ patches with gevent

# Where every page finds its templates (webui/templates/); one list object: bottle caches templates by its id().
TEMPLATE_LOOKUP = [os.path.join(os.path.dirname(__file__), "templates")]
