"""Open an Odoo environment on a bench database from a plain Python script."""

import contextlib
import os

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
BENCH_CONF = os.path.join(BENCH_DIR, ".data", "odoo.conf")


@contextlib.contextmanager
def odoo_env(dbname, conf=BENCH_CONF, commit=True):
    """Yield a superuser env on `dbname`; commit at the end unless `commit` is False."""
    import odoo
    from odoo.tools import config

    if not config.get("_bench_parsed"):
        config.parse_config(["-c", conf, "--log-level=warn"])
        config["_bench_parsed"] = True
    registry = odoo.modules.registry.Registry(dbname)
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        yield env
        if commit:
            env.flush_all()
            cr.commit()
        else:
            cr.rollback()
