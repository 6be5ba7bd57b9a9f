"""The order's confirmation under the credit rules: refused unless an approval covers it; a
customer who paid or signed keeps a quotation that waits for people."""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import formatLang

from .credit_verdict import credit_refusal, refused_order


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------------
    # Enforcement: every way into the 'sale' state goes through write() or create()
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        confirmed = orders.filtered(lambda o: o.state == "sale")
        if confirmed:  # imports and RPC creating confirmed orders directly
            confirmed._credit_enforce()
        return orders

    def write(self, vals):
        if vals.get("state") == "sale":
            to_confirm = self.filtered(lambda o: o.state != "sale")
            if to_confirm:
                to_confirm._credit_enforce()
        return super().write(vals)

    def _credit_enforce(self):
        """Refuse the confirmation of orders that break a credit rule and hold no covering approval."""
        if not self:
            return
        today = self.env["credit.exposure"]._today()
        # the exposure statement takes the lock on the customers itself (one query: see
        # credit.exposure._lock_customers for why a written row serializes two decisions)
        verdicts = self._credit_evaluate(today=today, lock=True)
        for order in self:
            verdict = verdicts.get(order.id)
            if not verdict or not verdict.failures:
                continue
            approval = order._credit_covering_approval(verdict, today=today)
            if approval:
                order.message_post(
                    body=self.env._(
                        "Confirmed over a credit rule under approval %(approval)s (approved by %(manager)s "
                        "up to %(amount)s, valid until %(expiry)s).",
                        approval=approval.name,
                        manager=approval.decided_by_id.name,
                        amount=order._credit_fmt(approval.approved_amount),
                        expiry=approval.expiry_date,
                    )
                )
                continue
            if not self.env.registry.ready:
                order._credit_note_unchecked_at_install(verdict)
                continue
            raise credit_refusal(order._credit_refusal_message(verdict, today=today), order)

    def _credit_note_unchecked_at_install(self, verdict):
        """Orders confirmed by module data while the server installs or upgrades modules (the
        registry is not ready then: no user request runs; Odoo core skips its notifications the same
        way). Typically another module's demo data confirming its demo orders: refusing would make
        Odoo drop that module's whole demo. The order passes, with the reasons it would have been
        refused on its chatter."""
        self.ensure_one()
        self.message_post(
            body=self.env._(
                "Confirmed by module data during a module installation: the credit check does not apply then. "
                "It would have refused this order:\n%(reasons)s",
                reasons="\n".join(msg for _code, msg in verdict.failures),
            )
        )

    def _credit_approval_shortfalls(self, verdict, today=None):
        """Why the order's approved credit approvals do not let it through, one line each: a sales
        rep who sees "Approved" must learn what is missing, not only that the order is refused."""
        self.ensure_one()
        today = today or fields.Date.context_today(self)
        currency = self.company_id.currency_id
        lines = []
        for approval in self.sudo().credit_approval_ids.filtered(lambda a: a.state == "approved"):
            missing = []
            if approval.expiry_date and approval.expiry_date < today:
                missing.append(self.env._("it expired on %(date)s", date=approval.expiry_date))
            if currency.compare_amounts(approval.approved_amount, verdict.amount) < 0:
                missing.append(
                    self.env._(
                        "this order is %(order)s, %(missing)s more than approved",
                        order=self._credit_fmt(verdict.amount),
                        missing=self._credit_fmt(verdict.amount - approval.approved_amount),
                    )
                )
            granted = set((approval.rule_codes or "").split(","))
            new_rules = verdict.codes - granted
            if new_rules:
                labels = approval._rule_labels()
                missing.append(
                    self.env._(
                        "it was granted for %(granted)s; the order now also breaks %(rules)s",
                        granted=", ".join(labels.get(c, c) for c in sorted(granted) if c),
                        rules=", ".join(labels.get(c, c) for c in sorted(new_rules)),
                    )
                )
            if missing:
                lines.append(
                    self.env._(
                        "Credit approval %(approval)s was approved by %(manager)s up to %(amount)s, valid until "
                        "%(expiry)s, but does not cover this order: %(missing)s.",
                        approval=approval.name,
                        manager=approval.decided_by_id.name,
                        amount=self._credit_fmt(approval.approved_amount),
                        expiry=approval.expiry_date,
                        missing="; ".join(missing),
                    )
                )
        return lines

    def _credit_refusal_message(self, verdict, today=None):
        lines = "\n".join(f"• {msg}" for _code, msg in verdict.failures)
        pending = self.sudo().credit_approval_ids.filtered(lambda a: a.state == "pending")
        shortfalls = self._credit_approval_shortfalls(verdict, today=today)
        if pending:
            next_step = self.env._(
                "Credit approval %(approval)s is waiting for a credit manager's decision.",
                approval=pending[0].name,
            )
        elif shortfalls:
            next_step = (
                "\n".join(shortfalls)
                + "\n"
                + self.env._(
                    'What you can do: click "Request Credit Approval" to ask for a new approval covering the whole '
                    "order, or reduce the order to what was approved."
                )
            )
        else:
            next_step = self.env._(
                'What you can do: click "Request Credit Approval" on the order, reduce the order, '
                "or ask the customer to pay its open invoices."
            )
        return self.env._(
            "%(order)s for %(customer)s cannot be confirmed:\n%(reasons)s\n%(next)s",
            order=self.name,
            customer=self.partner_invoice_id.commercial_partner_id.display_name,
            reasons=lines,
            next=next_step,
        )

    # ------------------------------------------------------------------
    # Paid or signed by the customer but refused: the quotation waits for people, the payment does not
    # ------------------------------------------------------------------
    def _validate_order(self):
        """Odoo's confirmation on the customer's side (a quotation signed on the portal): a credit
        refusal leaves the order a quotation for people to decide, never internal figures on the
        customer's screen."""
        for order in self:
            try:
                with self.env.cr.savepoint():
                    super(SaleOrder, order)._validate_order()
            except UserError as error:
                if not refused_order(error):
                    raise
                order._credit_keep_quotation(error.args[0])
        return None

    def _credit_keep_quotation(self, refusal, transaction=None):
        """A customer paid or signed, but the credit rules refuse the order: it stays a quotation, the
        salesperson and the credit approvers get an activity, the customer a neutral message."""
        self.ensure_one()
        order = self.sudo()
        if transaction:
            amount = formatLang(self.env, transaction.amount, currency_obj=transaction.currency_id)
            note = self.env._(
                "Payment %(reference)s of %(amount)s received online, but the order was not confirmed:\n"
                "%(refusal)s\nConfirm it once the credit rules allow it, or request a credit approval.",
                reference=transaction.reference,
                amount=amount,
                refusal=refusal,
            )
            # what the customer reads: no figure of its credit position
            public = self.env._(
                "Thank you for your payment of %(amount)s. Your order is being reviewed: we will confirm it shortly.",
                amount=amount,
            )
        else:
            note = self.env._(
                "The customer accepted the quotation, but it was not confirmed:\n%(refusal)s\n"
                "Confirm it once the credit rules allow it, or request a credit approval.",
                refusal=refusal,
            )
            public = self.env._("Thank you for your order. It is being reviewed: we will confirm it shortly.")
        order.message_post(body=note, subtype_xmlid="mail.mt_note")
        order.message_post(
            body=public, message_type="comment", subtype_xmlid="mail.mt_comment", partner_ids=order.partner_id.ids
        )
        users = order.user_id | order.company_id._credit_approvers()
        for user in users:
            order.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=user.id,
                summary=self.env._("Not confirmed by the credit check: the customer is waiting"),
                note=note,
            )
