"""Where the credit rules apply: a company that checks credit at the delivery only lets orders be
confirmed without the limit and overdue rules (the hold stays: an explicit stop-supply decision)."""

from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _credit_failures(self, verdict, today=None):
        failures = super()._credit_failures(verdict, today=today)
        # A quotation is being confirmed (or shown before it is); a confirmed order is being delivered.
        if self.state in ("draft", "sent") and self.company_id.credit_check_at == "delivery":
            failures = [failure for failure in failures if failure[0] == "hold"]
        return failures
