from odoo import api, models

from ..replica import primary


class CreditPrimaryReadsMixin(models.AbstractModel):
    """Screens reloaded right after a write of the same user (a worklist row after a promise, KPI
    lines written by the wizard just before): read on a replica they could show the state before
    that write (replication lag). Their web client reads stay on the primary."""

    _name = "credit.primary.reads.mixin"
    _description = "Reads Kept on the Primary Database"

    @api.model
    @primary
    def web_search_read(self, domain, specification, offset=0, limit=None, order=None, count_limit=None):
        return super().web_search_read(
            domain, specification, offset=offset, limit=limit, order=order, count_limit=count_limit
        )

    @api.model
    @primary
    def web_read_group(self, domain, fields, groupby, limit=None, offset=0, orderby=False, lazy=True):
        return super().web_read_group(domain, fields, groupby, limit=limit, offset=offset, orderby=orderby, lazy=lazy)

    @api.model
    @primary
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        return super().read_group(domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy)

    @primary
    def web_read(self, specification):
        return super().web_read(specification)
