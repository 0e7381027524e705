"""Chorus: the platform and staff side (factory, settings, governance, later accounts and insights)."""

import os

# Piccolo finds its engine and apps through this module wherever Chorus is started from.
os.environ.setdefault("PICCOLO_CONF", "app.piccolo_conf")
