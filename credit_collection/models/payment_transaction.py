from odoo import models
from odoo.exceptions import UserError

from .credit_verdict import refused_order


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    def _check_amount_and_confirm_order(self):
        """A payment is never lost to a credit refusal.

        Odoo confirms a paid quotation here, before it posts the payment: a credit refusal raised
        inside would roll the whole post-processing back, payment included, and show the customer the
        refusal with its internal figures. The confirmation is tried in a savepoint instead; a refused
        quotation stays a quotation (the part paid online already counts in its favour), the
        salesperson and the credit approvers get an activity, the customer a neutral message, and
        the post-processing goes on to post the payment."""
        confirmed = self.env["sale.order"]
        for tx in self:
            try:
                with self.env.cr.savepoint():
                    confirmed |= super(PaymentTransaction, tx)._check_amount_and_confirm_order()
            except UserError as error:
                order = refused_order(error)
                if not order:
                    raise
                order._credit_keep_quotation(error.args[0], transaction=tx)
        return confirmed
