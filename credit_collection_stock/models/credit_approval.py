"""Credit approvals requested from a blocked delivery: the order is confirmed, its delivery waits.
The request carries the order's figures as the delivery sees them; the decision is posted on the
order and on the delivery, and shown on the delivery's form."""

from odoo import fields, models
from odoo.exceptions import AccessError
from odoo.tools.misc import format_date


class CreditApproval(models.Model):
    _inherit = "credit.approval"

    picking_id = fields.Many2one(
        "stock.picking",
        string="Requested From Delivery",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The delivery the credit rules stopped, from which the approval was requested.",
    )

    def write(self, vals):
        # set only by the delivery's request method (through sudo, after its checks)
        if "picking_id" in vals and not self.env.su:
            raise AccessError(self.env._("Credit approvals are changed only by their request and decision buttons."))
        return super().write(vals)

    def _credit_decidable(self):
        # requested from a delivery: the order is confirmed and waits at the warehouse
        return super()._credit_decidable() or bool(self.picking_id and self.order_id.state == "sale")

    def _announce_decision(self):
        result = super()._announce_decision()
        if self.picking_id:
            # the stock user who asked reads the answer where the goods wait
            self.picking_id.sudo().message_post(
                body=self._decision_message(),
                author_id=self.env.user.partner_id.id,
                partner_ids=self.requested_by_id.partner_id.ids,
            )
        return result

    def _credit_delivery_summary(self):
        """The approval's state in one sentence, for the delivery's form."""
        self.ensure_one()
        if self.state == "pending":
            return self.env._(
                "Credit approval %(approval)s requested by %(user)s on %(date)s: waiting for a credit manager.",
                approval=self.name,
                user=self.requested_by_id.name,
                date=format_date(self.env, self.request_date),
            )
        summary = self._decision_message().strip()
        if self.is_expired:
            summary = self.env._("%(decision)s Expired: ask again.", decision=summary)
        return summary
