from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_round, format_date
from odoo.tools.misc import formatLang
from odoo.tools.sql import create_index

DISPUTE_REASONS = [
    ("price", "Price"),
    ("quantity", "Quantity"),
    ("quality", "Quality"),
    ("delivery", "Delivery"),
    ("billing", "Billing error"),
    ("other", "Other"),
]

# Where an invoice stands in the chase, its dispute, legal handover and write-off: written only by
# the collector / manager methods below and the daily run, as superuser after their own checks.
PROTECTED_COLLECTION_FIELDS = frozenset(
    {
        "collection_stage_id",
        "collection_stage_date",
        "collection_next_stage_id",
        "collection_next_date",
        "collection_error",
        "collection_error_date",
        "collection_dispute",
        "collection_dispute_reason",
        "collection_dispute_note",
        "collection_dispute_date",
        "collection_legal",
        "collection_legal_date",
        "collection_legal_partner_id",
        "collection_is_fee",
        "collection_writeoff_move_id",
    }
)


class AccountMove(models.Model):
    _inherit = "account.move"

    def init(self):
        res = super().init()
        # The exposure query sums a customer's draft invoices; account_move has no index on
        # commercial_partner_id, and drafts are few: a small partial index keeps it constant-time.
        create_index(
            self.env.cr,
            indexname="account_move_credit_draft_idx",
            tablename="account_move",
            expressions=["commercial_partner_id", "company_id"],
            where="state = 'draft' AND move_type IN ('out_invoice', 'out_refund')",
        )
        # Disputed invoices are few: the aging engine reads them as one small set from this index
        # instead of joining every open item to its invoice.
        create_index(
            self.env.cr,
            indexname="account_move_collection_disputed_idx",
            tablename="account_move",
            expressions=["id"],
            where="collection_dispute",
        )
        return res

    # ------------------------------------------------------------------
    # Collection stages (issue 4)
    # ------------------------------------------------------------------

    # -- where the invoice stands in the chase (written by the daily run)
    collection_stage_id = fields.Many2one("credit.collection.stage", readonly=True, copy=False, index="btree_not_null")
    collection_stage_date = fields.Date(string="Stage Since", readonly=True, copy=False)
    collection_next_stage_id = fields.Many2one(
        "credit.collection.stage", string="Next Stage", readonly=True, copy=False
    )
    collection_next_date = fields.Date(string="Next Stage On", readonly=True, copy=False)
    collection_history_ids = fields.One2many("credit.collection.history", "move_id", string="Stage History")
    collection_promise_ids = fields.One2many("credit.collection.promise", "move_id", string="Promises")
    collection_collector_id = fields.Many2one(related="commercial_partner_id.credit_collector_id", string="Collector")
    collection_error = fields.Char(string="Collection Failure", readonly=True, copy=False)
    collection_error_date = fields.Date(readonly=True, copy=False)
    collection_predicted_date = fields.Date(
        string="Predicted Payment",
        compute="_compute_collection_predicted_date",
        help="Due date + the customer's amount-weighted average days late over the last 12 months "
        "(without paid history: the average of its grade's customers, else the company default). "
        "An open invoice whose usual date has passed is expected today.",
    )
    collection_predicted_passed = fields.Boolean(
        string="Predicted Date Passed",
        compute="_compute_collection_predicted_date",
        help="The customer's usual payment date has passed: the date is uncertain.",
    )
    # -- dispute
    collection_dispute = fields.Boolean(string="Disputed", copy=False, readonly=True, tracking=True)
    collection_dispute_reason = fields.Selection(
        DISPUTE_REASONS, string="Dispute Reason", copy=False, readonly=True, tracking=True
    )
    collection_dispute_note = fields.Text(string="Dispute Notes", copy=False, readonly=True)
    collection_dispute_date = fields.Date(string="Disputed Since", copy=False, readonly=True)
    # -- legal / agency
    collection_legal = fields.Boolean(string="Legal / Agency", copy=False, readonly=True, tracking=True, index=True)
    collection_legal_date = fields.Date(string="Handed Over On", copy=False, readonly=True)
    collection_legal_partner_id = fields.Many2one(
        "res.partner", string="Legal Party / Agency", copy=False, readonly=True
    )
    collection_is_fee = fields.Boolean(
        string="Late Fee Invoice", readonly=True, copy=False, help="Invoiced by a collection stage: not chased itself."
    )
    # -- write-off
    collection_writeoff_move_id = fields.Many2one("account.move", string="Write-off Entry", copy=False, readonly=True)

    @api.depends("invoice_date_due", "commercial_partner_id", "company_id", "payment_state")
    @api.depends_context("company")
    def _compute_collection_predicted_date(self):
        today = fields.Date.context_today(self)
        invoices = self.filtered(lambda m: m.move_type == "out_invoice" and m.invoice_date_due)
        (self - invoices).update({"collection_predicted_date": False, "collection_predicted_passed": False})
        Partner = self.env["res.partner"].sudo()
        for company in invoices.company_id:
            moves = invoices.filtered(lambda m, company=company: m.company_id == company)
            partners = moves.commercial_partner_id
            days_late = Partner._collection_days_late(partners, company, today)
            # customers without paid history: the average of their grade's customers, else the company's
            by_grade = {}
            if "credit_grade_id" in Partner._fields and any(p.id not in days_late for p in partners):
                by_grade = Partner._collection_days_late_by_grade(company, today)
            default = company.collection_default_days_late
            for move in moves:
                partner = move.commercial_partner_id
                late = days_late.get(partner.id)
                if late is None and by_grade:
                    late = by_grade.get(partner.with_company(company).sudo().credit_grade_id.id)
                if late is None:
                    late = default
                # half away from zero, as SQL's ROUND in the cash-in forecast (Python's round() is
                # banker's rounding: 2.5 -> 2)
                shift = int(float_round(late, precision_digits=0, rounding_method="HALF-UP"))
                predicted = move.invoice_date_due + timedelta(days=shift)
                # an open invoice whose usual date has passed is expected any day now: today, as the
                # cash-in forecast counts it (never a date in the past)
                passed = predicted < today and move.payment_state not in ("paid", "in_payment", "reversed")
                move.collection_predicted_date = today if passed else predicted
                move.collection_predicted_passed = passed

    def _collection_check_protected(self, vals):
        protected = PROTECTED_COLLECTION_FIELDS & set(vals)
        if self.env.su or not protected:
            return
        # clearing what is already empty (a form saving every field) changes nothing
        changed = [name for name in protected if vals[name] or any(self.mapped(name))]
        if changed:
            raise AccessError(
                self.env._(
                    "%(fields)s change only through the collection buttons (dispute, resolve, write-off) and the "
                    "daily collection run. Use those: they check who you are and leave a trace.",
                    fields=", ".join(sorted(self._fields[name].string for name in changed)),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self.browse()._collection_check_protected(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._collection_check_protected(vals)
        res = super().write(vals)
        if "collection_legal" in vals:
            # the provision follows the legal handover, however it is set (stage, RPC, import)
            self.env["credit.provision.specific"]._sync_legal_cases(self)
        return res

    # ------------------------------------------------------------------ disputes
    def _collection_check_collector(self):
        if not (self.env.su or self.env.user.has_group("credit_collection.group_credit_collector")):
            raise AccessError(self.env._("Only collectors and credit staff record disputes and promises."))

    def action_collection_dispute(self, reason, note=""):
        """Mark customer invoices disputed: they leave the chase (no stage, no email, no fee)."""
        self._collection_check_collector()
        if not reason:
            raise UserError(self.env._("Give the reason of the dispute."))
        for move in self:
            if move.move_type != "out_invoice" or move.state != "posted":
                raise UserError(
                    self.env._("Only posted customer invoices can be disputed (got %(move)s).", move=move.display_name)
                )
        self.sudo().write(
            {
                "collection_dispute": True,
                "collection_dispute_reason": reason,
                "collection_dispute_note": note,
                "collection_dispute_date": fields.Date.context_today(self),
                "collection_next_stage_id": False,
                "collection_next_date": False,
            }
        )
        self._collection_refresh()
        return True

    def _collection_refresh(self):
        """The customers' next actions follow a promise, a dispute or its resolution at once."""
        run = self.env["credit.collection.run"]
        for company in self.company_id:
            moves = self.filtered(lambda m, company=company: m.company_id == company)
            run._collection_refresh(moves.commercial_partner_id, company)

    def action_collection_resolve_dispute(self):
        self._collection_check_collector()
        disputed = self.filtered("collection_dispute")
        disputed.sudo().write({"collection_dispute": False})
        for move in disputed:
            move.message_post(body=self.env._("Dispute resolved: the invoice is chased again."))
        disputed._collection_refresh()
        return True

    def action_collection_open_dispute_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Mark Invoices Disputed"),
            "res_model": "credit.collection.dispute.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_move_ids": [Command.set(self.ids)],
                "default_partner_id": self.commercial_partner_id[:1].id,
            },
        }

    def action_collection_open_promise(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Record a Promise to Pay"),
            "res_model": "credit.collection.promise",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_move_id": self.id,
                "default_amount": self.amount_residual_signed,
                "default_date": fields.Date.context_today(self) + timedelta(days=7),
            },
        }

    # ------------------------------------------------------------------ late fees
    def _collection_fee_amount(self, stage, today):
        """The late fee of this invoice at `stage`, company currency: fixed, or simple annual interest
        along the payment timeline (see `_collection_interest`)."""
        return self._collection_fee(stage, today)[0]

    def _collection_fee(self, stage, today):
        """(amount, periods) of the late fee of this invoice at `stage`; periods are the interest's
        (from, to, days, residual) pieces, empty for a fixed fee."""
        self.ensure_one()
        currency = self.company_id.currency_id
        if stage.fee_type == "fixed":
            return currency.round(stage.fee_amount), []
        if stage.fee_type == "interest":
            return self._collection_interest(stage.fee_rate, self._collection_interest_start(), today)
        return 0.0, []

    def _collection_interest_start(self):
        """Interest runs from the due date, or from the date of the last interest fee already charged
        on this invoice: a later interest stage never bills the same days twice."""
        self.ensure_one()
        charged = (
            self.env["credit.collection.history"]
            .sudo()
            .search(
                [("move_id", "=", self.id), ("fee_move_id", "!=", False), ("stage_id.fee_type", "=", "interest")],
                order="date desc",
                limit=1,
            )
        )
        return max(self.invoice_date_due, charged.date) if charged else self.invoice_date_due

    def _collection_interest(self, rate, start, end):
        """Σ over the periods between payments of residual × rate / 100 × days / 365, rounded once
        to the cent (company currency). The residual of a period is the invoice's receivable less
        the reconciliations (payments, credit notes, write-offs) dated on or before the period's
        start: a part-payment on day 89 lowers the interest from day 89 only."""
        self.ensure_one()
        currency = self.company_id.currency_id
        if not start or not end or end <= start:
            return 0.0, []
        lines = self.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        events = sorted((partial.max_date, partial.amount) for partial in lines.matched_credit_ids)
        residual = sum(lines.mapped("balance")) - sum(amount for date, amount in events if date <= start)
        periods, cursor = [], start
        for date, amount in events:
            if date <= start:
                continue
            if date >= end:
                break
            periods.append((cursor, date, residual))
            residual -= amount
            cursor = date
        periods.append((cursor, end, residual))
        periods = [
            (begin, stop, (stop - begin).days, amount)
            for begin, stop, amount in periods
            if (stop - begin).days > 0 and currency.compare_amounts(amount, 0.0) > 0
        ]
        total = sum(amount * rate / 100.0 * days / 365.0 for _begin, _stop, days, amount in periods)
        return currency.round(total), periods

    def _collection_fee_label(self, stage, amount, periods):
        """The fee line's text, in the customer's language: the computation is on the invoice the
        customer receives (amount, rate, from-to, days per period)."""
        self.ensure_one()
        env = self.with_context(lang=self.commercial_partner_id.lang or self.env.lang).env
        currency = self.company_id.currency_id
        label = env._("Late fee on %(move)s (%(stage)s)", move=self.name, stage=stage.with_env(env).name)
        if not periods:
            return label
        pieces = [
            env._(
                "%(amount)s from %(start)s to %(end)s (%(days)s days)",
                amount=currency.format(residual),
                start=format_date(env, begin),
                end=format_date(env, stop),
                days=days,
            )
            for begin, stop, days, residual in periods
        ]
        return env._(
            "%(label)s: interest %(rate)s %% a year on %(periods)s = %(fee)s",
            label=label,
            rate=format(stage.fee_rate, "g"),
            periods="; ".join(pieces),
            fee=currency.format(amount),
        )

    def _collection_charge_late_fee(self, stage, today=None):
        """Invoice the late fee of `stage` for these invoices (one fee invoice, a line per invoice).
        Refused on disputed invoices and when the fee of that stage was already charged: never twice."""
        today = today or fields.Date.context_today(self)
        company = self.company_id
        if len(company) != 1 or len(self.commercial_partner_id) != 1:
            raise UserError(self.env._("Late fees are invoiced per customer and company."))
        if stage.fee_type == "none":
            raise UserError(self.env._("Stage %(stage)s charges no late fee.", stage=stage.name))
        disputed = self.filtered("collection_dispute")
        if disputed:
            raise UserError(
                self.env._(
                    "No late fee on disputed invoices (%(moves)s): resolve the dispute first.",
                    moves=", ".join(disputed.mapped("name")),
                )
            )
        History = self.env["credit.collection.history"].sudo()
        histories = History.search([("move_id", "in", self.ids), ("stage_id", "=", stage.id)])
        charged = histories.filtered("fee_move_id").move_id
        if charged:
            raise UserError(
                self.env._(
                    "The late fee of stage %(stage)s was already invoiced for %(moves)s: it is charged only once.",
                    stage=stage.name,
                    moves=", ".join(charged.mapped("name")),
                )
            )
        product = company.collection_fee_product_id
        if not product:
            raise UserError(
                self.env._(
                    "Set the late fee product in the Credit & Collection settings of %(company)s before charging "
                    "late fees.",
                    company=company.name,
                )
            )
        lines = []
        amounts = {}
        for move in self:
            amount, periods = move._collection_fee(stage, today)
            amounts[move.id] = amount
            if company.currency_id.is_zero(amount):
                continue
            lines.append(
                Command.create(
                    {
                        "product_id": product.id,
                        "name": move._collection_fee_label(stage, amount, periods),
                        "quantity": 1,
                        "price_unit": amount,
                    }
                )
            )
        fee_move = self.env["account.move"]
        if lines:
            fee_move = (
                self.env["account.move"]
                .sudo()
                .with_company(company)
                .create(
                    {
                        "move_type": "out_invoice",
                        "partner_id": self.commercial_partner_id.id,
                        "company_id": company.id,
                        "currency_id": company.currency_id.id,
                        "invoice_date": today,
                        "invoice_date_due": today,
                        "invoice_payment_term_id": False,
                        "invoice_origin": ", ".join(self.mapped("name")),
                        "collection_is_fee": True,
                        "invoice_line_ids": lines,
                    }
                )
            )
            fee_move.action_post()
        for move in self:
            history = histories.filtered(lambda h, move=move: h.move_id == move)
            vals = {"fee_move_id": fee_move.id, "fee_amount": amounts[move.id]}
            if history:
                history.write(vals)
            else:
                History.create({"move_id": move.id, "stage_id": stage.id, "date": today, "trigger": "manual", **vals})
        return fee_move

    # ------------------------------------------------------------------ write-off reversal
    def action_collection_reverse_writeoff(self):
        if not (self.env.su or self.env.user.has_group("credit_collection.group_credit_manager")):
            raise AccessError(self.env._("Only credit managers reverse write-offs."))
        for move in self:
            entry = move.collection_writeoff_move_id
            if not entry:
                raise UserError(self.env._("%(move)s has not been written off.", move=move.name))
            lines = entry.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
            lines.remove_move_reconcile()
            entry._reverse_moves(
                [
                    {
                        "date": fields.Date.context_today(self),
                        "ref": self.env._("Reversal of %(entry)s", entry=entry.name),
                    }
                ],
                cancel=True,
            )
            move.sudo().collection_writeoff_move_id = False
            message = self.env._(
                "Write-off %(entry)s of %(move)s reversed by %(user)s: the invoice is open again.",
                entry=entry.name,
                move=move.name,
                user=self.env.user.name,
            )
            move.message_post(body=message)
            move.commercial_partner_id.message_post(body=message)
        return True

    # ------------------------------------------------------------------
    # Credit banner: the addon's, in place of Odoo's own
    # ------------------------------------------------------------------
    credit_banner = fields.Text(compute="_compute_credit_banner")
    credit_banner_level = fields.Selection(
        [("warning", "Near the limit"), ("danger", "Over the limit")], compute="_compute_credit_banner"
    )

    def _compute_partner_credit_warning(self):
        # Where the addon checks credit, its banner (same formula as the order check) replaces Odoo's.
        ours = self.filtered(lambda m: m.company_id.account_use_credit_limit)
        ours.partner_credit_warning = ""
        return super(AccountMove, self - ours)._compute_partner_credit_warning()

    @api.depends("partner_id", "company_id", "state", "move_type", "amount_total_signed")
    def _compute_credit_banner(self):
        self.credit_banner = False
        self.credit_banner_level = False
        shown = self.filtered(
            lambda m: (
                m.state == "draft"
                and m.move_type == "out_invoice"
                and m.partner_id
                and m.company_id.account_use_credit_limit
            )
        )
        engine = self.env["credit.exposure"].sudo()
        for company in shown.company_id:
            moves = shown.filtered(lambda m, c=company: m.company_id == c)
            exposures = engine._get_exposures(moves.partner_id, company)
            by_address = {pid: exp for exp in exposures.values() for pid in exp.input_partner_ids}
            percent = company.credit_usage_warning_percent
            for move in moves:
                exp = by_address.get(move.partner_id._origin.id)
                if not exp or not exp.has_limit:
                    continue
                # a saved draft is in the exposure already; an unsaved one is added
                total = exp.total if move._origin.id else exp.currency.round(exp.total + move.amount_total_signed)
                fmt = lambda amount, c=company: formatLang(self.env, amount, currency_obj=c.currency_id)  # noqa: E731
                if exp.currency.compare_amounts(total, exp.limit) > 0:
                    move.credit_banner_level = "danger"
                    move.credit_banner = self.env._(
                        "Credit limit exceeded: limit %(limit)s; exposure with this invoice %(exposure)s (open "
                        "receivables %(receivable)s, draft invoices %(draft)s, orders not invoiced %(orders)s); "
                        "excess %(excess)s.",
                        limit=fmt(exp.limit),
                        exposure=fmt(total),
                        receivable=fmt(exp.receivable),
                        draft=fmt(total - exp.receivable - exp.open_orders),
                        orders=fmt(exp.open_orders),
                        excess=fmt(total - exp.limit),
                    )
                elif percent > 0 and exp.currency.compare_amounts(total, exp.limit * percent / 100.0) > 0:
                    move.credit_banner_level = "warning"
                    move.credit_banner = self.env._(
                        "Near the credit limit: exposure with this invoice %(exposure)s is %(used)s %% of the limit "
                        "%(limit)s (warning from %(percent)s %%).",
                        exposure=fmt(total),
                        used=round(total / exp.limit * 100.0, 1),
                        limit=fmt(exp.limit),
                        percent=percent,
                    )
