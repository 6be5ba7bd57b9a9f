from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date

from .credit_payment_plan import OPEN_PLAN_STATES


class CreditPaymentPlanCheck(models.Model):
    """What makes a payment plan acceptable, checked at every create and write and again before it
    starts: its invoices, the other plans, its instalments and their total."""

    _inherit = "credit.payment.plan"

    def _check_plan(self):
        """Refuse a plan that does not add up, with the numbers (the caller's savepoint then drops
        everything the create or write did)."""
        today = fields.Date.context_today(self)
        self._lock_customers()
        for plan in self:
            currency = plan.currency_id
            if not plan.move_ids:
                raise UserError(
                    self.env._(
                        "Select the open invoices of %(customer)s the plan covers.", customer=plan.partner_id.name
                    )
                )
            partner = plan.partner_id.commercial_partner_id
            for move in plan.move_ids:
                if (
                    move.move_type != "out_invoice"
                    or move.state != "posted"
                    or move.commercial_partner_id != partner
                    or move.company_id != plan.company_id
                    or currency.compare_amounts(move.amount_residual_signed, 0.0) <= 0
                ):
                    raise UserError(
                        self.env._(
                            "%(move)s is not an open posted invoice of %(customer)s in %(company)s: a plan covers only "
                            "those.",
                            move=move.display_name,
                            customer=partner.name,
                            company=plan.company_id.name,
                        )
                    )
                if move.collection_dispute:
                    raise UserError(
                        self.env._(
                            "%(move)s is disputed: resolve the dispute before putting it on a payment plan.",
                            move=move.name,
                        )
                    )
            others = self.search(
                [("id", "!=", plan.id), ("move_ids", "in", plan.move_ids.ids), ("state", "in", OPEN_PLAN_STATES)]
            )
            if others:
                taken = others.move_ids & plan.move_ids
                raise UserError(
                    self.env._(
                        "%(moves)s already on plan %(plan)s: cancel that plan or leave the invoice out.",
                        moves=", ".join(taken.mapped("name")),
                        plan=others[0].name,
                    )
                )
            if not plan.line_ids:
                raise UserError(self.env._("A payment plan needs at least one instalment."))
            for line in plan.line_ids:
                if currency.compare_amounts(line.amount, 0.0) <= 0:
                    raise UserError(
                        self.env._(
                            "Instalment %(name)s is %(amount)s: every instalment must be positive.",
                            name=line.name,
                            amount=currency.format(line.amount),
                        )
                    )
                if not line.date or (plan.state in ("draft", "to_approve") and line.date < today):
                    raise UserError(
                        self.env._(
                            "Instalment %(name)s is dated %(date)s, in the past (today is %(today)s): date it from "
                            "today on.",
                            name=line.name,
                            date=format_date(self.env, line.date) if line.date else "-",
                            today=format_date(self.env, today),
                        )
                    )
            expected = currency.round(plan.covered_amount + plan.fee_amount)
            total = currency.round(sum(plan.line_ids.mapped("amount")))
            if currency.compare_amounts(total, expected):
                raise UserError(
                    self.env._(
                        "The instalments add up to %(total)s but the plan must collect %(expected)s (open amount "
                        "%(residual)s + interest/fee %(fee)s): difference %(diff)s. Adjust the instalments.",
                        total=currency.format(total),
                        expected=currency.format(expected),
                        residual=currency.format(plan.covered_amount),
                        fee=currency.format(plan.fee_amount),
                        diff=currency.format(total - expected),
                    )
                )
