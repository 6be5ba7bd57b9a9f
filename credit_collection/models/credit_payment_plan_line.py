from odoo import api, fields, models


class CreditPaymentPlanLine(models.Model):
    _name = "credit.payment.plan.line"
    _description = "Payment Plan Instalment"
    _order = "plan_id, date, sequence, id"

    plan_id = fields.Many2one("credit.payment.plan", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True)
    partner_id = fields.Many2one(related="plan_id.partner_id", store=True, string="Customer")
    currency_id = fields.Many2one(related="plan_id.currency_id")
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Description", required=True, default=lambda self: self.env._("Instalment"))
    kind = fields.Selection(
        [("down", "Down payment"), ("instalment", "Instalment"), ("fee", "Interest / fee")],
        default="instalment",
        required=True,
    )
    date = fields.Date(required=True)
    amount = fields.Monetary(required=True)
    paid_amount = fields.Monetary(string="Paid", compute="_compute_paid")
    residual = fields.Monetary(string="Still Due", compute="_compute_paid")
    state = fields.Selection(
        [
            ("pending", "To Pay"),
            ("late", "Late"),
            ("kept", "Kept"),
            ("paid_late", "Paid Late"),
            ("broken", "Broken"),
        ],
        default="pending",
        required=True,
        readonly=True,
    )
    paid_date = fields.Date(readonly=True)

    @api.depends("amount", "date", "plan_id.move_ids.amount_residual_signed", "plan_id.line_ids.amount")
    def _compute_paid(self):
        for plan in self.plan_id:
            allocation = plan._allocation()
            for line in self.filtered(lambda line, plan=plan: line.plan_id == plan):
                line.paid_amount = allocation.get(line, 0.0)
                line.residual = line.currency_id.round(line.amount - line.paid_amount)
        for line in self.filtered(lambda line: not line.plan_id):
            line.paid_amount, line.residual = 0.0, line.amount
