from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SaleOrderCollectionMilestone(models.Model):
    """A milestone of an order's collection plan: the share of the order expected to be received at
    a date or a trigger (signing, delivery, + days). Confirmed orders' milestones not invoiced yet
    are in the cash-in forecast; invoicing consumes them oldest first (no double counting)."""

    _name = "sale.order.collection.milestone"
    _description = "Order Collection Milestone"
    _order = "order_id, sequence, id"

    order_id = fields.Many2one("sale.order", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="order_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="order_id.partner_id", store=True, string="Customer")
    currency_id = fields.Many2one(related="order_id.currency_id")
    order_state = fields.Selection(related="order_id.state", string="Order Status")
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Milestone", required=True)
    percent = fields.Float(string="Share (%)", digits=(16, 2), required=True)
    trigger = fields.Selection(
        [("date", "Fixed date"), ("order", "After confirmation"), ("delivery", "After delivery")],
        default="order",
        required=True,
    )
    days = fields.Integer(help="Days after the confirmation or the delivery.")
    date = fields.Date(string="Fixed Date")
    expected_date = fields.Date(compute="_compute_expected_date", store=True)
    amount = fields.Monetary(compute="_compute_amount", store=True, help="The share of the order's total.")
    amount_open = fields.Monetary(
        string="Not Invoiced",
        compute="_compute_amount_open",
        help="What invoices of the order have not covered yet, milestones consumed in order.",
    )

    # The order's dates are not dependencies: confirming an order writes its date, and Odoo would
    # look for milestones of every confirmed order (one query on the order-time hot path, plans or
    # not). sale.order.write recomputes the milestones of orders that have a plan instead.
    @api.depends("trigger", "days", "date")
    def _compute_expected_date(self):
        for milestone in self:
            order = milestone.order_id
            if milestone.trigger == "date":
                base, days = milestone.date, 0
            elif milestone.trigger == "delivery":
                base, days = (order.commitment_date or order.expected_date or order.date_order), milestone.days
            else:
                base, days = order.date_order, milestone.days
            base = fields.Date.to_date(base) if base else False
            milestone.expected_date = base and base + timedelta(days=days)

    @api.depends("percent", "order_id.amount_total")
    def _compute_amount(self):
        for milestone in self:
            currency = milestone.order_id.currency_id
            milestone.amount = currency.round(milestone.order_id.amount_total * milestone.percent / 100.0)

    @api.depends("amount", "order_id.invoice_ids.amount_total", "order_id.invoice_ids.state")
    def _compute_amount_open(self):
        for order in self.order_id:
            invoiced = order._collection_invoiced()
            for milestone in order.collection_milestone_ids.sorted(lambda m: (m.sequence, m.id)):
                part = min(milestone.amount, max(invoiced, 0.0))
                invoiced -= part
                if milestone in self:
                    milestone.amount_open = order.currency_id.round(milestone.amount - part)

    @api.constrains("percent", "order_id")
    def _check_percent(self):
        for order in self.order_id:
            for milestone in order.collection_milestone_ids:
                if milestone.percent <= 0:
                    raise ValidationError(
                        self.env._(
                            "Milestone %(name)s is %(percent)s %%: every milestone must be a positive share.",
                            name=milestone.name,
                            percent=milestone.percent,
                        )
                    )
            total = sum(order.collection_milestone_ids.mapped("percent"))
            if round(total, 2) > 100.0:
                raise ValidationError(
                    self.env._(
                        "The milestones of %(order)s add up to %(total)s %%: at most 100 %%.",
                        order=order.name,
                        total=round(total, 2),
                    )
                )
