"""Stop supply at the warehouse: an outgoing delivery (the step that leaves the warehouse) of a
customer the credit rules stop cannot be validated. Returns, receipts and internal moves (the pick
step of a pick -> ship route included) are never checked."""

from dataclasses import replace

from odoo import api, fields, models
from odoo.addons.credit_collection.models.credit_verdict import CreditVerdict
from odoo.exceptions import UserError
from odoo.osv import expression


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # The banner and the list filter read the customer's hold in this company only (one cheap read);
    # the validation itself runs the full credit check (pooled hold, limit, overdue).
    credit_blocked = fields.Boolean(
        compute="_compute_credit_blocked",
        search="_search_credit_blocked",
        help="The customer is on credit hold: this delivery cannot be validated until the hold is lifted.",
    )
    credit_hold_reason = fields.Char(compute="_compute_credit_blocked")

    def _credit_open_deliveries(self):
        return self.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.partner_id and p.state not in ("done", "cancel")
        )

    @api.depends("partner_id", "picking_type_code", "state", "company_id")
    def _compute_credit_blocked(self):
        self.credit_blocked = False
        self.credit_hold_reason = False
        for picking in self._credit_open_deliveries():
            customer = picking.partner_id.commercial_partner_id.with_company(picking.company_id)
            picking.credit_blocked = customer.credit_hold
            picking.credit_hold_reason = customer.credit_hold and customer.credit_hold_reason

    def _search_credit_blocked(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Credit Blocked can only be searched as set or not set."))
        held = self.env["res.partner"].sudo()._search([("credit_hold", "=", True)])
        domain = expression.AND(
            [
                [("picking_type_code", "=", "outgoing")],
                [("state", "not in", ("done", "cancel"))],
                [("partner_id.commercial_partner_id", "in", held)],
            ]
        )
        return domain if (operator == "=") == bool(value) else ["!", *domain]

    # ------------------------------------------------------------------
    # Enforcement: button, RPC, backorders and immediate transfers all end in _action_done()
    # ------------------------------------------------------------------
    def _action_done(self):
        self._credit_check_delivery()
        return super()._action_done()

    def _credit_check_delivery(self):
        """Refuse the validation of deliveries the credit rules stop. The rules are the order's own
        (same engine, figures and messages as at confirmation; the order is counted once: the
        engine leaves it out of the exposure and adds its amount). Which rules apply follows the
        company's "Check credit at" setting; a credit hold always applies, an approval granted for
        the order covers its deliveries while valid. Constant queries whatever the history."""
        deliveries = self.filtered(lambda p: p.picking_type_code == "outgoing" and p.partner_id).sudo()
        if not deliveries:
            return
        today = fields.Date.context_today(self)
        orders = deliveries.sale_id
        verdicts = orders._credit_evaluate(today=today) if orders else {}
        loose = deliveries.filtered(lambda p: not p.sale_id)
        holds = {}
        engine = self.env["credit.exposure"].sudo()
        for company in loose.company_id:
            exposures = engine._get_exposures(
                loose.filtered(lambda p, c=company: p.company_id == c).partner_id, company, today=today
            )
            holds.update({(company.id, pid): exp for exp in exposures.values() for pid in exp.input_partner_ids})
        refusals = []
        for picking in deliveries:
            order = picking.sale_id
            if order:
                verdict = verdicts.get(order.id)
                if not verdict:
                    continue
                failures = verdict.failures
                if order.company_id.credit_check_at == "order":
                    failures = [failure for failure in failures if failure[0] == "hold"]
                if not failures:
                    continue
                verdict = replace(verdict, failures=failures)
                approval = order._credit_covering_approval(verdict, today=today)
                if approval:
                    picking._credit_note_approval(approval)
                    continue
                exposure = verdict.exposure
            else:
                exposure = holds.get((picking.company_id.id, picking.partner_id.id))
                if not exposure or not exposure.hold:
                    continue
                # no order: the hold alone, in the order's own words
                failures = [order._credit_rule_hold(CreditVerdict(exposure=exposure, amount=0.0), today=today)]
            refusals.append(picking._credit_refusal_message(failures, exposure, order))
        if refusals:
            raise UserError("\n\n".join(refusals))

    def _credit_note_approval(self, approval):
        self.ensure_one()
        self.message_post(
            body=self.env._(
                "Validated over a credit rule under approval %(approval)s of %(order)s (approved by %(manager)s, "
                "valid until %(expiry)s).",
                approval=approval.name,
                order=approval.order_id.name,
                manager=approval.decided_by_id.name,
                expiry=approval.expiry_date,
            )
        )

    def _credit_hold_setter(self, partner):
        """Who put the customer on hold, and when, from the partner's tracking (refusal path only)."""
        field = self.env["ir.model.fields"].sudo()._get("res.partner", "credit_hold")
        tracking = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("field_id", "=", field.id),
                    ("mail_message_id.model", "=", "res.partner"),
                    ("mail_message_id.res_id", "=", partner.id),
                    ("new_value_integer", "=", 1),
                ],
                order="id desc",
                limit=1,
            )
        )
        return tracking.mail_message_id

    def _credit_refusal_message(self, failures, exposure, order):
        self.ensure_one()
        customer = self.env["res.partner"].browse(exposure.partner_id)
        lines = [f"• {msg}" for _code, msg in failures]
        codes = {code for code, _msg in failures}
        if "hold" in codes:
            message = self._credit_hold_setter(customer)
            if message:
                lines.append(
                    self.env._(
                        "The hold was set by %(user)s on %(date)s.",
                        user=message.author_id.name or message.create_uid.name,
                        date=fields.Date.to_string(message.date.date()),
                    )
                )
        if order:
            next_step = self.env._(
                "What you can do: keep the goods in the warehouse and tell the salesperson; a credit manager can "
                "lift the hold or approve a credit approval for %(order)s, or the customer can pay its open "
                "invoices.",
                order=order.name,
            )
        else:
            next_step = self.env._(
                "What you can do: keep the goods in the warehouse; a credit manager can lift the hold."
            )
        return self.env._(
            "%(picking)s for %(customer)s cannot be validated: the customer's credit stops the delivery.\n"
            "%(reasons)s\n%(next)s",
            picking=self.name,
            customer=customer.display_name,
            reasons="\n".join(lines),
            next=next_step,
        )
