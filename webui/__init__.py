"""Callbox web UI: a bottle app served by gevent.pywsgi in its own process (`python -m webui`)."""
