from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date


class CreditCollectionPromise(models.Model):
    """A customer's promise to pay an invoice by a date. While open it pauses the chase of that
    invoice until date + the company's grace days; the daily run marks it kept or broken."""

    _name = "credit.collection.promise"
    _description = "Promise to Pay"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), ('amount_residual', '>', 0)]",
    )
    partner_id = fields.Many2one(related="move_id.commercial_partner_id", store=True, string="Customer", index=True)
    company_id = fields.Many2one(related="move_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(string="Promised Date", required=True, tracking=True)
    amount = fields.Monetary(string="Promised Amount", currency_field="currency_id", required=True, tracking=True)
    note = fields.Text()
    user_id = fields.Many2one(
        "res.users", string="Recorded by", default=lambda self: self.env.user, readonly=True, required=True
    )
    residual_at_promise = fields.Monetary(currency_field="currency_id", readonly=True)
    deadline = fields.Date(compute="_compute_deadline", store=True, help="Promised date plus the company's grace days.")
    state = fields.Selection(
        [("open", "Open"), ("kept", "Kept"), ("broken", "Broken"), ("cancel", "Cancelled")],
        default="open",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
    )
    escalated = fields.Boolean(readonly=True, help="A broken promise has made its invoice escalate.")

    @api.depends("date", "company_id.collection_promise_grace_days")
    def _compute_deadline(self):
        for promise in self:
            grace = promise.company_id.collection_promise_grace_days
            promise.deadline = promise.date and promise.date + timedelta(days=grace)

    @api.model_create_multi
    def create(self, vals_list):
        # defaults (context included) first, so the checks see what will be stored
        vals_list = [self._add_missing_default_values(vals) for vals in vals_list]
        moves = self.env["account.move"].browse([vals.get("move_id") for vals in vals_list if vals.get("move_id")])
        today = fields.Date.context_today(self)
        for vals in vals_list:
            move = moves.browse(vals.get("move_id"))
            self._check_promise_values(move, vals, today)
            vals["residual_at_promise"] = move.amount_residual_signed
            vals.pop("state", None)
            vals.pop("user_id", None)
            vals.pop("escalated", None)
        promises = super().create(vals_list)
        for promise in promises:
            promise.move_id.message_post(
                body=self.env._(
                    "Promise to pay %(amount)s by %(date)s recorded by %(user)s.",
                    amount=promise.currency_id.format(promise.amount),
                    date=format_date(self.env, promise.date),
                    user=promise.user_id.name,
                )
            )
        # the chase of the invoice pauses now: its next action moves after the deadline
        promises._collection_refresh()
        return promises

    def write(self, vals):
        # state and escalation follow the run and the cancel button (superuser after their checks)
        protected = {"state", "escalated", "user_id", "residual_at_promise"} & set(vals)
        if protected and not self.env.su:
            raise AccessError(
                self.env._(
                    "%(fields)s of a promise to pay change only through its Cancel button and the daily collection "
                    "run.",
                    fields=", ".join(sorted(self._fields[name].string for name in protected)),
                )
            )
        if {"move_id", "amount", "date"} & set(vals):
            today = fields.Date.context_today(self)
            for promise in self:
                if promise.state != "open":
                    raise UserError(
                        self.env._(
                            "The promise of %(date)s is %(state)s: it cannot be changed. Record a new one.",
                            date=format_date(self.env, promise.date),
                            state=promise.state,
                        )
                    )
                merged = {"move_id": promise.move_id.id, "amount": promise.amount, "date": promise.date, **vals}
                self._check_promise_values(
                    self.env["account.move"].browse(merged["move_id"]), merged, today, exclude=promise
                )
        res = super().write(vals)
        if {"move_id", "date"} & set(vals):
            self._collection_refresh()
        return res

    def _collection_refresh(self):
        for company in self.company_id:
            self.env["credit.collection.run"]._collection_refresh(
                self.filtered(lambda p, company=company: p.company_id == company).partner_id, company
            )

    def _check_promise_values(self, move, vals, today, exclude=None):
        if not move or move.move_type != "out_invoice" or move.state != "posted" or move.amount_residual <= 0:
            raise UserError(
                self.env._(
                    "A promise to pay is recorded on an open, posted customer invoice (got %(move)s).",
                    move=move.display_name or "-",
                )
            )
        date = fields.Date.to_date(vals.get("date"))
        if not date or date < today:
            raise UserError(
                self.env._(
                    "The promised date %(date)s is in the past (today is %(today)s). Ask the customer for a date "
                    "from today on.",
                    date=format_date(self.env, date) if date else "-",
                    today=format_date(self.env, today),
                )
            )
        amount = vals.get("amount") or 0.0
        residual = move.amount_residual_signed
        currency = move.company_id.currency_id
        if currency.compare_amounts(amount, 0.0) <= 0 or currency.compare_amounts(amount, residual) > 0:
            raise UserError(
                self.env._(
                    "The promised amount %(amount)s must be positive and at most the open amount of %(move)s "
                    "(%(residual)s).",
                    amount=currency.format(amount),
                    move=move.name,
                    residual=currency.format(residual),
                )
            )
        others = move.collection_promise_ids.filtered(lambda p: p.state == "open") - (exclude or self.browse())
        if others:
            raise UserError(
                self.env._(
                    "%(move)s already has an open promise (%(amount)s by %(date)s). Cancel it before recording "
                    "a new one.",
                    move=move.name,
                    amount=currency.format(others[0].amount),
                    date=format_date(self.env, others[0].date),
                )
            )

    def action_cancel(self):
        self.move_id._collection_check_collector()
        cancelled = self.filtered(lambda p: p.state == "open")
        cancelled.sudo().write({"state": "cancel"})
        cancelled._collection_refresh()

    def _is_kept(self):
        """Paid in time: the open amount has come down by the promised amount since the promise."""
        self.ensure_one()
        currency = self.company_id.currency_id
        paid = self.residual_at_promise - self.move_id.amount_residual_signed
        return currency.compare_amounts(paid, self.amount) >= 0

    @api.model
    def _collection_update_states(self, company, today):
        """Kept when paid (by the time of the run), broken once the deadline has passed unpaid.
        A broken promise adds one to the customer's broken-promise count."""
        promises = self.search([("company_id", "=", company.id), ("state", "=", "open")])
        kept = promises.filtered(lambda p: p._is_kept())
        kept.write({"state": "kept"})
        broken = (promises - kept).filtered(lambda p: p.deadline < today)
        if broken:
            broken.write({"state": "broken"})
            for partner in broken.partner_id:
                count = len(broken.filtered(lambda p, partner=partner: p.partner_id == partner))
                partner._collection_add_broken_promises(count, company)
            for promise in broken:
                promise.move_id.message_post(
                    body=self.env._(
                        "Promise to pay %(amount)s by %(date)s broken: the invoice escalates.",
                        amount=promise.currency_id.format(promise.amount),
                        date=format_date(self.env, promise.date),
                    )
                )
        return kept, broken
