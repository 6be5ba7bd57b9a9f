"""The order's credit check, seen from its deliveries.

- Where the rules apply: a company that checks credit at the delivery lets orders be confirmed
  without the limit and overdue rules (the hold stays: an explicit stop-supply decision).
- What a confirmed order adds: the engine leaves the order out of the exposure and adds its amount;
  once invoiced (invoicing on ordered quantities, down payments), the invoiced part is already in the
  receivables or draft invoices, so only what no invoice covers yet is added back.
- Paid in full: judged against the order's total, as at confirmation, not against what is left to
  invoice (an order paid online and invoiced before it ships has nothing left, yet is prepaid)."""

from dataclasses import replace

from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _credit_failures(self, verdict, today=None):
        failures = super()._credit_failures(verdict, today=today)
        # A quotation is being confirmed (or shown before it is); a confirmed order is being delivered.
        if self.state in ("draft", "sent") and self.company_id.credit_check_at == "delivery":
            failures = [failure for failure in failures if failure[0] == "hold"]
        return failures

    def _credit_fully_paid(self, verdict):
        if self.state != "sale":
            return super()._credit_fully_paid(verdict)
        # the whole order, invoiced or not
        return super()._credit_fully_paid(replace(verdict, amount=self._credit_order_total()))

    def _credit_order_amount(self):
        amount = super()._credit_order_amount()
        if self.state != "sale":  # a quotation has no invoice: the whole order is new exposure
            return amount
        # the engine's own reading of "invoiced" (credit_exposure.py, orders not invoiced): every
        # non-cancelled invoice line of the order, refunds negative, at the order's rate
        invoiced = 0.0
        for line in self.order_line.invoice_lines.filtered(lambda aml: aml.move_id.state != "cancel"):
            sign = -1.0 if line.move_id.move_type == "out_refund" else 1.0
            invoiced += sign * line.price_total
        rate = self.currency_rate or 1.0
        return self.company_id.currency_id.round(max(amount - invoiced / rate, 0.0))
