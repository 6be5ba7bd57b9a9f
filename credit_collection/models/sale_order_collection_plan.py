from odoo import Command, api, fields, models


class SaleOrder(models.Model):
    """The order's collection plan (回款计划): expected receipts by milestone."""

    _inherit = "sale.order"

    collection_milestone_ids = fields.One2many(
        "sale.order.collection.milestone", "order_id", string="Collection Plan", copy=True
    )
    # stored on the order, so the order's own read tells whether its dates move any milestone
    has_collection_plan = fields.Boolean(compute="_compute_has_collection_plan", store=True)

    @api.depends("collection_milestone_ids")
    def _compute_has_collection_plan(self):
        for order in self:
            order.has_collection_plan = bool(order.collection_milestone_ids)

    def write(self, vals):
        result = super().write(vals)
        if {"date_order", "commitment_date"} & set(vals):
            planned = self.filtered("has_collection_plan")
            if planned:
                Milestone = self.env["sale.order.collection.milestone"]
                self.env.add_to_compute(Milestone._fields["expected_date"], planned.collection_milestone_ids)
        return result

    def _collection_invoiced(self):
        """What the posted invoices of the order (less its credit notes) amount to, order currency."""
        self.ensure_one()
        moves = self.invoice_ids.filtered(lambda m: m.state == "posted")
        return sum(m.amount_total * (-1 if m.move_type == "out_refund" else 1) for m in moves)

    def _collection_milestones_from_terms(self):
        """Milestones from a payment term with several instalments (percentages): each one due its
        days after delivery (an invoice is dated about when the goods leave)."""
        self.ensure_one()
        lines = self.payment_term_id.line_ids
        if len(lines) < 2 or any(line.value != "percent" for line in lines):
            return []
        return [
            {
                "sequence": 10 * (index + 1),
                "name": self.env._(
                    "Instalment %(number)s (%(term)s)", number=index + 1, term=self.payment_term_id.name
                ),
                "percent": line.value_amount,
                "trigger": "delivery",
                "days": line.nb_days,
            }
            for index, line in enumerate(lines.sorted(lambda line: (line.nb_days, line.id)))
        ]

    @api.onchange("payment_term_id")
    def _onchange_payment_term_collection_plan(self):
        if not self.collection_milestone_ids and self.payment_term_id:
            milestones = self._collection_milestones_from_terms()
            if milestones:
                self.collection_milestone_ids = [Command.create(vals) for vals in milestones]

    def action_collection_plan_from_terms(self):
        for order in self:
            milestones = order._collection_milestones_from_terms()
            if milestones:
                order.collection_milestone_ids = [Command.clear()] + [Command.create(vals) for vals in milestones]
        return True
