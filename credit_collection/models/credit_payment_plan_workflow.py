from odoo import Command, fields, models
from odoo.exceptions import AccessError, UserError

from .credit_payment_plan import OPEN_PLAN_STATES


class CreditPaymentPlanWorkflow(models.Model):
    """The plan's buttons: propose, approve (never by its proposer), start with its fee invoice,
    cancel, print and send."""

    _inherit = "credit.payment.plan"

    # ------------------------------------------------------------------ buttons
    def action_generate_instalments(self):
        """Replace the schedule by the even one from the down payment, count, first date and frequency."""
        for plan in self:
            plan.write({"line_ids": [Command.clear()] + [Command.create(v) for v in plan._prepare_instalments()]})
        return True

    def action_propose(self):
        """The collector proposes the plan: above the company's thresholds it waits for a credit
        manager; otherwise it starts at once."""
        self._check_collector()
        for plan in self.filtered(lambda p: p.state == "draft"):
            plan._check_plan()
            if plan._approval_required():
                plan.sudo().write({"state": "to_approve"})
                plan._notify_approvers()
            else:
                plan._start()
        return True

    def action_approve(self):
        """A credit manager approves, never the collector who proposed the plan."""
        if not (self.env.su or self.env.user.has_group("credit_collection.group_credit_manager")):
            raise AccessError(self.env._("Only credit managers approve payment plans."))
        for plan in self:
            if plan.state != "to_approve":
                raise UserError(self.env._("%(plan)s is not waiting for approval.", plan=plan.name))
            if plan.user_id == self.env.user:
                raise AccessError(
                    self.env._(
                        "You proposed %(plan)s: another credit manager approves it (segregation of duties).",
                        plan=plan.name,
                    )
                )
            plan._check_plan()
            plan.sudo().write({"approved_by_id": self.env.user.id, "approved_date": fields.Datetime.now()})
            plan.activity_feedback(["mail.mail_activity_data_todo"])
            plan._start()
        return True

    def action_cancel(self):
        self._check_collector()
        cancelled = self.filtered(lambda p: p.state in OPEN_PLAN_STATES)
        cancelled.sudo().write({"state": "cancel"})
        for plan in cancelled:
            plan.message_post(body=self.env._("Plan cancelled: its invoices are chased again."))
        cancelled._collection_refresh()
        return True

    def action_draft(self):
        self._check_collector()
        self.filtered(lambda p: p.state == "cancel").sudo().write({"state": "draft", "approved_by_id": False})
        return True

    def _notify_approvers(self):
        managers = (
            self.env.ref("credit_collection.group_credit_manager")
            .sudo()
            .users.filtered(lambda u: u.active and not u.share and self.company_id in u.company_ids)
        )
        for plan in self:
            approver = (managers - plan.user_id - self.env.ref("base.user_root"))[:1]
            if approver:
                plan.sudo().activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Approve payment plan %(plan)s", plan=plan.name),
                    user_id=approver.id,
                )

    def _start(self):
        """Running from now: the fee is invoiced, the covered invoices' chase pauses."""
        for plan in self:
            vals = {"state": "active"}
            fee = plan.currency_id.round(plan.fee_amount)
            if plan.currency_id.compare_amounts(fee, 0.0) > 0 and not plan.fee_move_id:
                vals["fee_move_id"] = plan._invoice_fee().id
            plan.sudo().write(vals)
            if plan.fee_move_id:
                # the fee invoice is paid under the plan like the invoices it covers
                plan.sudo().write({"move_ids": [Command.link(plan.fee_move_id.id)]})
            plan.message_post(
                body=self.env._(
                    "Plan running: %(count)s instalments, %(total)s; the chase of %(moves)s waits.",
                    count=len(plan.line_ids),
                    total=plan.currency_id.format(plan.amount_total),
                    moves=", ".join(plan.move_ids.mapped("name")),
                )
            )
        self._collection_refresh()
        return True

    def _invoice_fee(self):
        self.ensure_one()
        company = self.company_id
        product = company.collection_fee_product_id
        if not product:
            raise UserError(
                self.env._(
                    "Set the late fee product in the Credit & Collection settings of %(company)s: the plan's "
                    "interest/fee of %(fee)s is invoiced with it.",
                    company=company.name,
                    fee=self.currency_id.format(self.fee_amount),
                )
            )
        today = fields.Date.context_today(self)
        last = max(self.line_ids.mapped("date"))
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner_id.commercial_partner_id.id,
                    "company_id": company.id,
                    "currency_id": company.currency_id.id,
                    "invoice_date": today,
                    "invoice_date_due": max(last, today),
                    "invoice_payment_term_id": False,
                    "invoice_origin": self.name,
                    "collection_is_fee": True,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "name": self.env._("Interest / fee of payment plan %(plan)s", plan=self.name),
                                "quantity": 1,
                                "price_unit": self.fee_amount,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    def _collection_refresh(self):
        for company in self.company_id:
            self.env["credit.collection.run"]._collection_refresh(
                self.filtered(lambda p, company=company: p.company_id == company).partner_id, company
            )

    def action_print(self):
        return self.env.ref("credit_collection.action_report_payment_plan").report_action(self)

    def action_send(self):
        """Open the composer with the agreement attached, in the customer's language."""
        self.ensure_one()
        template = self.env.ref("credit_collection.mail_template_payment_plan")
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
            },
        }
