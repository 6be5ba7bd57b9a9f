import base64
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, date_utils, format_date

# Fields that only credit managers may change: the segregation of duties the users asked for.
CREDIT_CONTROLLED_FIELDS = ("credit_limit", "credit_hold", "credit_hold_reason")
# Who reads what (README, Security): the credit position is what core shows accounting users, plus
# collectors; the credit file (score, reviews, guarantees) is for analysts and managers. Everyone
# who sells sees the available credit and the hold: whether an order passes.
POSITION_READERS = (
    "credit_collection.group_credit_collector,account.group_account_invoice,account.group_account_readonly"
)
FILE_READERS = "credit_collection.group_credit_analyst"
# The credit file's results: written by an approved review (or a credit manager), never by others.
CREDIT_FILE_FIELDS = ("credit_grade_id", "credit_score", "credit_last_review_date", "credit_next_review_date")


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Odoo's own limit, per company; we only add chatter tracking to it.
    credit_limit = fields.Float(tracking=True)
    credit_hold = fields.Boolean(
        company_dependent=True,
        copy=False,
        tracking=True,
        help="Stop supply: orders of this customer are refused in this company until the hold is lifted.",
    )
    credit_hold_reason = fields.Char(
        string="Hold Reason",
        company_dependent=True,
        copy=False,
        tracking=True,
    )
    credit_currency_id = fields.Many2one("res.currency", compute="_compute_credit_position")
    credit_limit_effective = fields.Monetary(
        string="Effective Credit Limit",
        compute="_compute_credit_position",
        currency_field="credit_currency_id",
        help="The customer's own limit, or the company default when it has none. 0 = no limit.",
        groups=POSITION_READERS,
    )
    credit_exposure = fields.Monetary(
        compute="_compute_credit_position",
        currency_field="credit_currency_id",
        help="Open receivables + draft invoices + confirmed orders not yet invoiced, in company currency.",
        groups=POSITION_READERS,
    )
    credit_exposure_receivable = fields.Monetary(
        string="Open Receivables",
        compute="_compute_credit_position",
        currency_field="credit_currency_id",
        groups=POSITION_READERS,
    )
    credit_exposure_draft = fields.Monetary(
        string="Draft Invoices",
        compute="_compute_credit_position",
        currency_field="credit_currency_id",
        groups=POSITION_READERS,
    )
    credit_exposure_orders = fields.Monetary(
        string="Orders Not Invoiced",
        compute="_compute_credit_position",
        currency_field="credit_currency_id",
        groups=POSITION_READERS,
    )
    credit_available = fields.Monetary(
        string="Available Credit", compute="_compute_credit_position", currency_field="credit_currency_id"
    )
    # The collection figures: one definition of "overdue" with the worklist and the aging
    # (credit.aging.engine._overdue_figures_query): credit notes and unapplied payments net it,
    # disputed invoices are left out and shown apart.
    credit_overdue_amount = fields.Monetary(
        string="Overdue Amount",
        compute="_compute_credit_overdue",
        currency_field="credit_currency_id",
        groups=POSITION_READERS,
        help="Open receivables due before today, credit notes and unapplied payments included, "
        "disputed invoices excluded (shown apart).",
    )
    credit_oldest_overdue_days = fields.Integer(
        string="Oldest Overdue (days)", compute="_compute_credit_overdue", groups=POSITION_READERS
    )
    credit_oldest_overdue_move = fields.Char(
        string="Oldest Overdue Invoice", compute="_compute_credit_overdue", groups=POSITION_READERS
    )
    credit_disputed_amount = fields.Monetary(
        string="Disputed",
        compute="_compute_credit_overdue",
        currency_field="credit_currency_id",
        groups=POSITION_READERS,
    )
    credit_disputed_count = fields.Integer(
        string="Disputed Invoices", compute="_compute_credit_overdue", groups=POSITION_READERS
    )
    credit_has_limit = fields.Boolean(compute="_compute_credit_position")
    credit_temporary_limit = fields.Monetary(
        string="Temporary Increase",
        compute="_compute_credit_position",
        currency_field="credit_currency_id",
        help="Temporary limit increases running today, included in the effective limit.",
        groups=POSITION_READERS,
    )
    credit_temporary_limit_ids = fields.One2many(
        "credit.limit.temporary", "partner_id", string="Temporary Limit Increases", context={"active_test": False}
    )
    credit_can_manage = fields.Boolean(compute="_compute_credit_can_manage")

    # --- Credit file (grades, reviews, guarantees) ---
    # Per company, like Odoo's credit_limit: a customer may be graded A in one company and C in another.
    credit_grade_id = fields.Many2one(
        "credit.grade", company_dependent=True, tracking=True, copy=False, groups=POSITION_READERS
    )
    credit_score = fields.Float(company_dependent=True, tracking=True, copy=False, groups=FILE_READERS)
    credit_last_review_date = fields.Date(
        string="Last Credit Review", company_dependent=True, copy=False, groups=FILE_READERS
    )
    credit_next_review_date = fields.Date(
        string="Next Credit Review",
        company_dependent=True,
        tracking=True,
        copy=False,
        groups=FILE_READERS,
    )
    credit_review_needed = fields.Boolean(company_dependent=True, copy=False, groups=FILE_READERS)
    credit_review_reasons = fields.Text(
        string="Why a Review Is Needed", company_dependent=True, copy=False, groups=FILE_READERS
    )
    credit_warning_codes = fields.Char(
        company_dependent=True, copy=False, groups=FILE_READERS
    )  # signals already notified
    credit_warning_checked_on = fields.Date(
        company_dependent=True, copy=False, groups=FILE_READERS
    )  # the warning cron's bookmark
    credit_limit_changed_on = fields.Date(
        string="Limit Changed On", company_dependent=True, copy=False, groups=POSITION_READERS
    )
    credit_analyst_id = fields.Many2one(
        "res.users",
        company_dependent=True,
        tracking=True,
        help="Receives review and warning activities for this customer.",
        groups=FILE_READERS,
    )
    credit_review_ids = fields.One2many("credit.review", "partner_id", string="Credit Reviews", groups=FILE_READERS)
    credit_guarantee_ids = fields.One2many("credit.guarantee", "partner_id", string="Guarantees", groups=FILE_READERS)
    credit_guarantee_amount = fields.Monetary(
        string="Guarantees Securing Credit",
        compute="_compute_credit_file",
        currency_field="credit_currency_id",
        help="Valid guarantees of types that secure credit: added to the limit.",
        groups=FILE_READERS,
    )
    credit_base_limit = fields.Monetary(
        string="Limit Before Guarantees",
        compute="_compute_credit_file",
        currency_field="credit_currency_id",
        groups=POSITION_READERS,
    )
    credit_review_count = fields.Integer(compute="_compute_credit_file", groups=FILE_READERS)

    @api.depends_context("uid")
    def _compute_credit_can_manage(self):
        self.credit_can_manage = self._is_credit_manager()

    @api.depends_context("company")
    def _compute_credit_position(self):
        company = self.env.company
        exposures = self.env["credit.exposure"].sudo()._get_exposures(self.commercial_partner_id, company)
        for partner in self:
            exp = exposures.get(partner.commercial_partner_id.id)
            partner.credit_currency_id = company.currency_id
            if not exp:  # a new partner, not in the database yet
                partner.update(
                    {
                        "credit_limit_effective": 0.0,
                        "credit_exposure": 0.0,
                        "credit_exposure_receivable": 0.0,
                        "credit_exposure_draft": 0.0,
                        "credit_exposure_orders": 0.0,
                        "credit_available": 0.0,
                        "credit_has_limit": False,
                        "credit_temporary_limit": 0.0,
                    }
                )
                continue
            partner.credit_limit_effective = exp.limit
            partner.credit_has_limit = exp.has_limit
            partner.credit_temporary_limit = exp.extra.get("temporary_limit", 0.0)
            partner.credit_exposure = exp.total
            partner.credit_exposure_receivable = exp.receivable
            partner.credit_exposure_draft = exp.draft_invoices
            partner.credit_exposure_orders = exp.open_orders
            partner.credit_available = exp.available

    @api.depends_context("company")
    def _compute_credit_overdue(self):
        # one query for all the partners read (a list): the engine's overdue figures
        company = self.env.company
        figures = self.env["credit.aging.engine"].sudo()._overdue_figures(self._origin.commercial_partner_id, company)
        move_ids = [fig["oldest_move_id"] for fig in figures.values() if fig["oldest_move_id"]]
        moves = self.env["account.move"].sudo().browse(move_ids)
        names = dict(zip(moves.ids, moves.mapped("name"), strict=True))
        for partner in self:
            fig = figures.get(partner._origin.commercial_partner_id.id) or {}
            partner.credit_overdue_amount = company.currency_id.round(fig.get("overdue_amount") or 0.0)
            partner.credit_oldest_overdue_days = fig.get("oldest_overdue_days") or 0
            partner.credit_oldest_overdue_move = names.get(fig.get("oldest_move_id")) or False
            partner.credit_disputed_amount = company.currency_id.round(fig.get("dispute_amount") or 0.0)
            partner.credit_disputed_count = fig.get("dispute_count") or 0

    # ------------------------------------------------------------------
    # Guards: who may change limits and holds, and what values are valid
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_credit_values(vals, self.browse())
        return super().create(vals_list)

    def write(self, vals):
        self._check_credit_values(vals, self)
        if "credit_limit" in vals:  # remembered for the "limit unchanged" early warning
            changed = self.filtered(lambda p: p.credit_limit != (vals["credit_limit"] or 0.0))
            res = super().write(vals)
            if changed:
                super(ResPartner, changed).write({"credit_limit_changed_on": fields.Date.context_today(self)})
            return res
        return super().write(vals)

    @api.model
    def _is_credit_manager(self):
        return self.env.su or self.env.user.has_group("credit_collection.group_credit_manager")

    def _check_credit_values(self, vals, partners):
        self._check_credit_file_values(vals, partners)
        self._check_collection_values(vals, partners)
        touched = [f for f in CREDIT_CONTROLLED_FIELDS if f in vals]
        if not touched:
            return
        if "credit_limit" in vals and (vals["credit_limit"] or 0.0) < 0:
            raise UserError(
                self.env._(
                    "A credit limit cannot be negative (got %(amount)s). Set 0 for no limit, or put the "
                    "customer on credit hold to stop all orders.",
                    amount=vals["credit_limit"],
                )
            )
        if partners:
            changed = any((p[fname] or False) != (vals[fname] or False) for p in partners for fname in touched)
        else:
            # The form sends every field on create: only values other than the defaults count.
            default_limit = self._fields["credit_limit"].get_company_dependent_fallback(self) or 0.0
            changed = (
                ("credit_limit" in vals and (vals["credit_limit"] or 0.0) != default_limit)
                or bool(vals.get("credit_hold"))
                or bool(vals.get("credit_hold_reason"))
            )
        if changed and not self._is_credit_manager():
            raise AccessError(
                self.env._(
                    "Only credit managers can change credit limits and credit holds (%(fields)s). "
                    "Ask a credit manager, or request a credit approval on the order.",
                    fields=", ".join(self._fields[f].string for f in touched),
                )
            )
        for partner in partners or [None]:
            hold = vals["credit_hold"] if "credit_hold" in vals else bool(partner and partner.credit_hold)
            if "credit_hold_reason" in vals:
                reason = vals["credit_hold_reason"]
            else:
                reason = partner.credit_hold_reason if partner else ""
            if hold and not (reason or "").strip():
                raise UserError(
                    self.env._(
                        "Putting %(customer)s on credit hold needs a reason (for the customer's file "
                        "and for the sales team). Fill in the hold reason and save again.",
                        customer=partner.display_name if partner else vals.get("name", ""),
                    )
                )

    def action_view_credit_approvals(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_collection.credit_approval_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {}
        return action

    # ------------------------------------------------------------------
    # Credit file
    # ------------------------------------------------------------------
    @api.depends_context("company")
    def _compute_credit_file(self):
        company = self.env.company
        exposures = self.env["credit.exposure"].sudo()._get_exposures(self.commercial_partner_id, company)
        # a count only (sales staff may see the number of reviews, not their content)
        counts = dict(
            self.env["credit.review"]
            .sudo()
            ._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids), ("company_id", "=", company.id)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            exp = exposures.get(partner.commercial_partner_id.id)
            partner.credit_guarantee_amount = exp.extra["guarantee_secured"] if exp else 0.0
            partner.credit_base_limit = exp.extra["base_limit"] if exp else 0.0
            partner.credit_review_count = counts.get(partner.commercial_partner_id, 0)

    def _check_credit_file_values(self, vals, partners):
        grade = self.env["credit.grade"].browse(vals.get("credit_grade_id") or [])
        if grade and grade.sudo().company_id != self.env.company:
            # the grade is stored for the current company (company-dependent): it must be one of its own
            raise ValidationError(
                self.env._(
                    "Grade %(grade)s belongs to %(grade_company)s, not to %(company)s: choose one of "
                    "%(company)s's grades (switch company to grade the customer there).",
                    grade=grade.sudo().name,
                    grade_company=grade.sudo().company_id.name,
                    company=self.env.company.name,
                )
            )
        touched = [f for f in CREDIT_FILE_FIELDS if f in vals]
        if not touched or self._is_credit_manager():
            return
        changed = any((p[f] or False) != (vals[f] or False) for p in partners for f in touched) or (
            not partners and any(vals[f] for f in touched)
        )
        if changed:
            raise AccessError(
                self.env._(
                    "Only credit managers change a customer's grade, score and review dates (%(fields)s): "
                    "they come from an approved credit review.",
                    fields=", ".join(self._fields[f].string for f in touched),
                )
            )

    def _credit_analyst(self):
        """Who gets the credit activities of this customer in the current company."""
        self.ensure_one()
        if self.credit_analyst_id:
            return self.credit_analyst_id
        last = (
            self.env["credit.review"]
            .sudo()
            .search(
                [("partner_id", "=", self.commercial_partner_id.id), ("company_id", "=", self.env.company.id)],
                order="review_date desc, id desc",
                limit=1,
            )
        )
        if last.user_id.active:
            return last.user_id
        if self.env.company.credit_approver_id:
            return self.env.company.credit_approver_id
        group = self.env.ref("credit_collection.group_credit_manager")
        managers = group.users.filtered(lambda u: self.env.company in u.company_ids and not u.share and u.active)
        return managers[:1] or self.env.user

    def action_new_credit_review(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Credit Review"),
            "res_model": "credit.review",
            "view_mode": "form",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_view_credit_reviews(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("credit_collection.credit_review_action")
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    # ------------------------------------------------------------------
    # Collection stages (issue 4)
    # ------------------------------------------------------------------

    # Per company, like the credit limit and the hold: a customer may be chased by someone else (or
    # snoozed, or have broken promises) in another company. Written only through the collection
    # methods (see _check_collection_values): the run, the snooze wizard, a credit manager.
    credit_collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        company_dependent=True,
        tracking=True,
        copy=False,
        help="Who chases this customer's overdue invoices in this company.",
    )
    collection_strategy_id = fields.Many2one(
        "credit.collection.strategy",
        company_dependent=True,
        tracking=True,
        help="Empty: the strategy of the customer's grade, else the company default.",
    )
    collection_broken_promise_count = fields.Integer(
        string="Broken Promises",
        company_dependent=True,
        readonly=True,
        copy=False,
        help="Promises to pay not kept in this company (all time); counted by the daily run.",
    )
    collection_snooze_until = fields.Date(
        string="Snoozed Until",
        company_dependent=True,
        readonly=True,
        copy=False,
        help="The customer leaves the collector's worklist in this company until this date (Snooze button).",
    )

    collection_stage_id = fields.Many2one(
        "credit.collection.stage",
        string="Current Collection Stage",
        compute="_compute_collection_summary",
        help="The most advanced stage of the customer's undisputed invoices (as on the worklist).",
    )
    collection_next_action = fields.Char(
        string="Next Collection Action", compute="_compute_collection_summary", help="As on the worklist."
    )

    @api.depends_context("company")
    def _compute_collection_summary(self):
        # the worklist's own row: the customer form and the worklist read the same thing
        company = self.env.company
        rows = (
            self.env["credit.collection.worklist"]
            .sudo()
            .search([("partner_id", "in", self._origin.commercial_partner_id.ids), ("company_id", "=", company.id)])
        )
        by_partner = {row.partner_id.id: row for row in rows}
        for partner in self:
            row = by_partner.get(partner._origin.commercial_partner_id.id)
            partner.collection_stage_id = row.stage_id if row else False
            partner.collection_next_action = row.next_action if row else False

    def _check_collection_values(self, vals, partners):
        """The collector is a credit manager's choice; the snooze date is set by the worklist's
        Snooze (collectors, checked there) and the broken-promise count by the daily run: both write
        as superuser after their own checks, so a direct write (RPC, import) is refused."""
        if self.env.su:
            return
        for fname in ("collection_broken_promise_count", "collection_snooze_until"):
            if fname not in vals:
                continue
            field = self._fields[fname]
            new = field.convert_to_cache(vals[fname], self.browse())
            changed = any(p[fname] != field.convert_to_record(new, p) for p in partners) if partners else bool(new)
            if changed:
                raise AccessError(
                    self.env._(
                        "%(field)s is set by the collection workflow only (the daily run, the worklist's "
                        "Snooze button), not by editing the customer.",
                        field=field.string,
                    )
                )
        if "credit_collector_id" in vals and not self._is_credit_manager():
            new = vals["credit_collector_id"] or False
            changed = any(p.credit_collector_id.id != new for p in partners) if partners else bool(new)
            if changed:
                raise AccessError(
                    self.env._("Only credit managers assign collectors. Ask a credit manager to assign one.")
                )

    def _collection_add_broken_promises(self, count, company):
        """Add `count` to the broken-promise count of this customer in `company`, in one UPDATE of
        the jsonb value: two runs or users breaking promises at once both count (no read-modify-write
        of a stale value; under REPEATABLE READ the second writer is retried on a fresh snapshot)."""
        self.ensure_one()
        self.env.flush_all()
        key = str(company.id)
        self.env.cr.execute(
            SQL(
                """
                UPDATE res_partner
                   SET collection_broken_promise_count = COALESCE(collection_broken_promise_count, '{}'::jsonb)
                       || jsonb_build_object(%(key)s::text,
                              COALESCE((collection_broken_promise_count ->> %(key)s)::int, 0) + %(count)s)
                 WHERE id = %(id)s
                """,
                key=key,
                count=count,
                id=self.id,
            )
        )
        self.invalidate_recordset(["collection_broken_promise_count"])

    def _collection_strategy(self):
        """The strategy applying to this customer in the current company: its own, else its grade's
        (when the grading addon part is installed), else the company default."""
        self.ensure_one()
        partner = self.commercial_partner_id
        if partner.collection_strategy_id:
            return partner.collection_strategy_id
        if "credit_grade_id" in partner._fields:
            grade = partner.credit_grade_id
            if "collection_strategy_id" in grade._fields and grade.collection_strategy_id:
                return grade.collection_strategy_id
        return self.env.company.collection_strategy_id

    @api.model
    def _collection_days_late_query(self, partner_ids, company, today):
        # partner_ids=None: every customer of the company (the cash-in forecast).
        # Amount-weighted average of (last payment date - due date) over the customer invoices fully
        # paid in the last 12 months; the payment date is the latest reconciliation of the receivable.
        return SQL(
            """
            WITH paid AS (
                SELECT m.commercial_partner_id AS partner_id,
                       m.amount_total_signed AS amount,
                       m.invoice_date_due AS due,
                       MAX(apr.max_date) AS paid_on
                  FROM account_move m
                  JOIN account_move_line aml ON aml.move_id = m.id AND aml.display_type = 'payment_term'
                  JOIN account_partial_reconcile apr ON apr.debit_move_id = aml.id
                 WHERE m.company_id = %(company)s
                   AND m.move_type = 'out_invoice'
                   AND m.state = 'posted'
                   AND m.payment_state IN ('paid', 'in_payment')
                   AND %(partner_filter)s
                   AND m.collection_writeoff_move_id IS NULL
              GROUP BY m.id
            )
            SELECT partner_id, SUM(amount * (paid_on - due)) / NULLIF(SUM(amount), 0) AS days
              FROM paid
             WHERE paid_on > %(since)s AND paid_on <= %(today)s
          GROUP BY partner_id
            """,
            company=company.id,
            partner_filter=(
                SQL("TRUE") if partner_ids is None else SQL("m.commercial_partner_id = ANY(%s)", list(partner_ids))
            ),
            since=today - timedelta(days=365),
            today=today,
        )

    @api.model
    def _collection_days_late(self, partners, company, today=None):
        """{commercial partner id: average days late (float)} for partners with paid history."""
        if not partners:
            return {}
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(self._collection_days_late_query(partners.commercial_partner_id.ids, company, today))
        return {pid: float(days) for pid, days in self.env.cr.fetchall() if days is not None}

    @api.model
    def _collection_days_late_by_grade(self, company, today=None):
        """{grade id: average days late of the grade's customers with paid history} in `company`:
        the prediction's fallback for a customer without history of its own."""
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT (p.credit_grade_id ->> %(company)s)::int, AVG(d.days)
                  FROM (%(query)s) d
                  JOIN res_partner p ON p.id = d.partner_id
                 WHERE p.credit_grade_id ->> %(company)s IS NOT NULL
                 GROUP BY 1
                """,
                company=str(company.id),
                query=self._collection_days_late_query(None, company, today),
            )
        )
        return {grade_id: float(days) for grade_id, days in self.env.cr.fetchall() if days is not None}

    def _collection_statement_start(self, today):
        """Start of the statement the worklist sends: the company setting (default: from the oldest
        open item, or N months back when that is earlier)."""
        self.ensure_one()
        company = self.env.company
        start = date_utils.subtract(today, months=max(company.collection_statement_months, 1))
        if company.collection_statement_period == "oldest":
            items = (
                self.env["credit.aging.engine"]
                .sudo()
                .get_items(as_of=today, companies=company, where=self.env["credit.aging.engine"]._customer_sql(self))
            )
            if items:
                start = min(start, min(item["date"] for item in items))
        return start

    def _collection_send_statement(self):
        """Email the customer its statement of account now, from the worklist: the statement PDF
        over the company's statement period, to the customer's invoicing contact only (a note in
        the chatter: no follower, internal or not, gets it), file named by customer and date."""
        self.ensure_one()
        partner = self.commercial_partner_id
        today = fields.Date.context_today(self)
        wizard = self.env["credit.statement.wizard"].create(
            {
                "partner_ids": [Command.set(partner.ids)],
                "date_from": partner._collection_statement_start(today),
                "date_to": today,
            }
        )
        contact = self.browse(partner.address_get(["invoice"])["invoice"])
        if not contact.email:
            raise UserError(
                self.env._(
                    "%(customer)s has no email address on its invoicing contact %(contact)s: add one and send "
                    "the statement again.",
                    customer=partner.display_name,
                    contact=contact.display_name,
                )
            )
        report = self.env.ref("credit_collection.credit_statement_report")
        pdf = self.env["ir.actions.report"]._render_qweb_pdf(report, partner.ids, data=wizard._data())[0]
        filename = self.env._(
            "Statement - %(customer)s - %(date)s.pdf",
            customer=partner.name.replace("/", "-"),
            date=fields.Date.to_string(today),
        )
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": filename,
                    "datas": base64.b64encode(pdf),
                    "res_model": "res.partner",
                    "res_id": partner.id,
                    "mimetype": "application/pdf",
                }
            )
        )
        template = self.env.ref("credit_collection.credit_statement_mail_template")
        lang = template._render_lang(partner.ids)[partner.id]
        ctx = {
            "credit_date_from": format_date(self.env(context={**self.env.context, "lang": lang}), wizard.date_from),
            "credit_date_to": format_date(self.env(context={**self.env.context, "lang": lang}), today),
            "credit_company_name": self.env.company.name,
        }
        template = template.with_context(lang=lang, **ctx)
        subject = template._render_field("subject", partner.ids)[partner.id]
        body = template._render_field("body_html", partner.ids, engine="qweb")[partner.id]
        # collectors send statements without the right to edit customers: the worklist is
        # collectors-only, the author stays the user
        return (
            partner.sudo()
            .with_context(mail_post_autofollow=False)
            .message_post(
                body=body,
                subject=subject,
                author_id=self.env.user.partner_id.id,
                partner_ids=contact.ids,
                attachment_ids=attachment.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                email_layout_xmlid="mail.mail_notification_light",
            )
        )
