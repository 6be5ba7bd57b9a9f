"""Customer invoices in collection: the collection fields, who may write them, the predicted
payment date, and the addon's credit banner."""

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL
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
        # The collection run plans from every open customer invoice (credit.collection.run's
        # _collection_candidates_query): this index holds each column it reads, in its order, so a
        # run with nothing to do reads the index alone, without the invoices' rows nor a sort
        # (0.9 s -> 0.2 s at a million invoices). Keep it in step with that statement.
        self.env.cr.execute(
            SQL(
                """CREATE INDEX IF NOT EXISTS account_move_collection_run_idx
                       ON account_move (company_id, commercial_partner_id, invoice_date_due, id)
                          INCLUDE (amount_residual_signed, collection_stage_id, collection_next_stage_id,
                                   collection_next_date, collection_error_date, collection_dispute,
                                   collection_legal, collection_is_fee)
                    WHERE move_type = 'out_invoice' AND state = 'posted' AND amount_residual_signed > 0"""
            )
        )
        return res

    # ------------------------------------------------------------------
    # Collection stages
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
    # indexed (only where set): the provision's cohort rates look up "is this entry a write-off" for
    # every payment of a year of invoices
    collection_writeoff_move_id = fields.Many2one(
        "account.move", string="Write-off Entry", copy=False, readonly=True, index="btree_not_null"
    )

    @api.depends("invoice_date_due", "commercial_partner_id", "company_id", "payment_state")
    @api.depends_context("company")
    def _compute_collection_predicted_date(self):
        today = fields.Date.context_today(self)
        invoices = self.filtered(lambda m: m.move_type == "out_invoice" and m.invoice_date_due)
        (self - invoices).update({"collection_predicted_date": False, "collection_predicted_passed": False})
        behaviour = self.env["credit.payment.behaviour"].sudo()
        for company in invoices.company_id:
            moves = invoices.filtered(lambda m, company=company: m.company_id == company)
            days_late = behaviour._expected_days_late(moves.commercial_partner_id, company, today)
            for move in moves:
                move.collection_predicted_date, move.collection_predicted_passed = behaviour._predicted_date(
                    move.invoice_date_due,
                    days_late[move.commercial_partner_id.id],
                    today,
                    move.payment_state not in ("paid", "in_payment", "reversed"),
                )

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

    # ------------------------------------------------------------------
    # The predicted payment date in SQL: "Invoices in Collection" sorts and groups by it over every
    # open invoice in the database (a non-stored compute could only be sorted page by page). The
    # expression is the compute's own rule (credit.payment.behaviour): due date + the customer's
    # days late (its history, else its grade's customers', else the company default), rounded half
    # away from zero; an open invoice whose date has passed is expected today.
    # ------------------------------------------------------------------
    def _field_to_sql(self, alias, fname, query=None, flush=True):
        if fname == "collection_predicted_date" and query is not None:
            return self._collection_predicted_date_sql(alias, query)
        return super()._field_to_sql(alias, fname, query, flush)

    def _collection_predicted_date_sql(self, alias, query):
        today = fields.Date.context_today(self)
        behaviour = self.env["credit.payment.behaviour"].sudo()
        companies = self.env.companies
        # days late per (company, customer), and per (company, grade) for customers without history
        days = SQL(" UNION ALL ").join(
            SQL(
                "SELECT %s AS company_id, d.partner_id, d.days FROM (%s) d",
                company.id,
                behaviour._days_late_query(None, company, today),
            )
            for company in companies
        )
        own_alias = query.make_alias(alias, "collection_days_late")
        query.add_join(
            "LEFT JOIN",
            own_alias,
            SQL("(%s)", days),
            SQL(
                "%s = %s AND %s = %s",
                SQL.identifier(own_alias, "company_id"),
                SQL.identifier(alias, "company_id"),
                SQL.identifier(own_alias, "partner_id"),
                SQL.identifier(alias, "commercial_partner_id"),
            ),
        )
        grade_alias = query.make_alias(alias, "collection_grade_days_late")
        query.add_join(
            "LEFT JOIN",
            grade_alias,
            SQL(
                """(SELECT d.company_id, (p.credit_grade_id ->> d.company_id::text)::int AS grade_id,
                           AVG(d.days) AS days
                      FROM (%s) d
                      JOIN res_partner p ON p.id = d.partner_id
                     WHERE p.credit_grade_id ->> d.company_id::text IS NOT NULL
                     GROUP BY 1, 2)""",
                days,
            ),
            SQL(
                "%s = %s AND %s = (SELECT (cp.credit_grade_id ->> %s::text)::int FROM res_partner cp WHERE cp.id = %s)",
                SQL.identifier(grade_alias, "company_id"),
                SQL.identifier(alias, "company_id"),
                SQL.identifier(grade_alias, "grade_id"),
                SQL.identifier(alias, "company_id"),
                SQL.identifier(alias, "commercial_partner_id"),
            ),
        )
        default = SQL(
            "CASE %s %s ELSE 0 END",
            SQL.identifier(alias, "company_id"),
            SQL(" ").join(
                SQL("WHEN %s THEN %s", company.id, company.collection_default_days_late) for company in companies
            ),
        )
        shifted = SQL(
            "(%s + ROUND(COALESCE(%s, %s, %s)::numeric)::int)",
            SQL.identifier(alias, "invoice_date_due"),
            SQL.identifier(own_alias, "days"),
            SQL.identifier(grade_alias, "days"),
            default,
        )
        return SQL(
            """CASE WHEN %(move_type)s = 'out_invoice' AND %(due)s IS NOT NULL THEN
                    CASE WHEN %(shifted)s < %(today)s AND %(payment_state)s NOT IN ('paid', 'in_payment', 'reversed')
                         THEN %(today)s ELSE %(shifted)s END
               END""",
            move_type=SQL.identifier(alias, "move_type"),
            due=SQL.identifier(alias, "invoice_date_due"),
            payment_state=SQL.identifier(alias, "payment_state"),
            shifted=shifted,
            today=today,
        )
