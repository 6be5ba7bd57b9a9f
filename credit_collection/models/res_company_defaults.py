"""What a company has on its first day: a collection strategy, a grade ladder, a scorecard and a
late-fee product, created for every company when the addon is installed and for every company
created afterwards. They are ordinary records the credit manager edits or replaces; nothing
rewrites them later (no XML id: an upgrade does not know them). A kind the company already has
(the demo's, or the user's own) is left alone, so creating the defaults twice does nothing.

Names and texts are written in every installed language for which the addon ships a translation,
and in a language installed later (see ir_module_module.py) while they still read as shipped.
Also here: what each feature still misses in a company's settings, and the switch that leaves
reminders to Odoo Enterprise's follow-ups."""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

# The default strategy: friendly before the due date, firmer every step, legal at 90 days.
# (name, days from due date, minimum amount, intro, extras)
DEFAULT_STRATEGY_NAME = _lt("Standard")
DEFAULT_STRATEGY_NOTE = _lt(
    "Most customers: a friendly reminder three days before the due date, then reminders, a call, stop supply "
    "at 30 days and legal at 90."
)
DEFAULT_STAGES = [
    (
        _lt("Friendly pre-due reminder"),
        -3,
        0.0,
        _lt("A friendly note: the invoices below fall due in the next few days. Thank you for paying on time."),
        {},
    ),
    (
        _lt("Reminder"),
        1,
        0.0,
        _lt("Our records show the invoices below as unpaid past their due date. Could you please arrange payment?"),
        {},
    ),
    (
        _lt("Second notice"),
        15,
        50.0,
        _lt("Second notice: the invoices below are now more than two weeks overdue. Please pay them without delay."),
        {"activity": ("mail.mail_activity_data_call", _lt("Call the customer about overdue invoices"), "collector", 2)},
    ),
    (
        _lt("Formal warning"),
        30,
        50.0,
        _lt(
            "Formal warning: the invoices below are more than 30 days overdue. Deliveries are suspended until "
            "they are paid."
        ),
        {"credit_hold": True},
    ),
    (
        _lt("Final notice"),
        60,
        50.0,
        _lt(
            "Final notice: without payment within 30 days, the invoices below will be handed over to our legal "
            "department."
        ),
        {"activity": ("mail.mail_activity_data_todo", _lt("Manager review before legal handover"), "user", 5)},
    ),
    (_lt("Legal handover"), 90, 50.0, None, {"legal_handover": True}),
]

# Grades A-E: (name, score from, review every n months, × monthly sales, % of equity cap, longest term,
# prepayment %, own overdue tolerance (days) or None, guarantee above, worklist risk factor)
DEFAULT_GRADES = [
    ("E", 0, 3, 0, 0, 0, 100, None, 0, 2.0),
    ("D", 40, 6, 1, 5, 30, 30, 15, 20000, 1.5),
    ("C", 55, 12, 1.5, 10, 45, 0, None, 50000, 1.0),
    ("B", 70, 12, 2, 15, 60, 0, None, 0, 0.8),
    ("A", 85, 24, 3, 20, 90, 0, None, 0, 0.5),
]

DEFAULT_SCORECARD_NAME = _lt("Standard scorecard")
# Factors: (metric, weight, [(from value, points)]); a factor is named after its metric.
DEFAULT_FACTORS = [
    ("current_ratio", 10, [(0, 20), (1, 50), (1.5, 80), (2, 100)]),
    ("debt_ratio", 10, [(0, 100), (40, 80), (60, 50), (80, 10)]),
    ("net_margin", 10, [(-1000, 0), (0, 40), (5, 70), (10, 100)]),
    ("years_in_business", 10, [(0, 20), (3, 50), (10, 80), (20, 100)]),
    ("avg_days_late", 20, [(0, 100), (5, 80), (15, 50), (30, 20), (60, 0)]),
    ("late_share", 10, [(0, 100), (10, 80), (30, 50), (50, 20)]),
    ("oldest_overdue_days", 10, [(0, 100), (1, 80), (30, 40), (90, 0)]),
    ("exposure_ratio", 10, [(0, 100), (70, 70), (90, 40), (100, 0)]),
    ("rating_average", 10, [(1, 0), (2, 25), (3, 50), (4, 75), (5, 100)]),
]

DEFAULT_FEE_PRODUCT_NAME = _lt("Late payment fee")


class ResCompany(models.Model):
    _inherit = "res.company"

    collection_reminder_engine = fields.Selection(
        [("followup", "Odoo Follow-ups, when installed"), ("credit_collection", "Credit & Collection")],
        string="Reminder Engine",
        default="followup",
        required=True,
        help="Who emails the payment reminders of this company when Odoo Enterprise's Follow-ups (account_followup) "
        "is installed: Odoo's follow-ups (this addon then sends none, while its activities, credit holds, "
        "promises, disputes, fees and reports still work), or this addon's collection stages. Without "
        "Follow-ups installed, this addon sends them either way.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._credit_install_defaults()
        return companies

    # ------------------------------------------------------------------ defaults
    def _credit_install_defaults(self):
        """Give each company the kinds of defaults it does not have yet (strategy, grades,
        scorecard, late-fee product). Called at install and when a company is created; as
        superuser, since whoever creates a company need not be a credit manager."""
        for company in self.sudo():
            if not company.collection_strategy_id and not company._credit_has("credit.collection.strategy"):
                company.collection_strategy_id = company._credit_default_strategy()
            if not company._credit_has("credit.grade"):
                company._credit_default_grades()
            if not company._credit_has("credit.scorecard"):
                company._credit_default_scorecard()
            if not company.collection_fee_product_id:
                company.collection_fee_product_id = company._credit_default_fee_product()
            company._credit_translate_defaults()

    def _credit_has(self, model):
        return bool(self.env[model].with_context(active_test=False).search_count([("company_id", "=", self.id)]))

    @api.model
    def _credit_translate(self, terms, langs=None):
        """Write the translations of `terms` [(record, field, source, translate(lang))] in `langs`
        (default: every installed language): only where the record still carries the shipped English
        text and has no text of its own in that language, so a user's wording is never replaced."""
        langs = langs or [code for code, _name in self.env["res.lang"].get_installed()]
        for lang in langs:
            if lang == "en_US":
                continue
            for record, fname, source, translate in terms:
                if (
                    record.with_context(lang="en_US")[fname] != source
                    or record.with_context(lang=lang)[fname] != source
                ):
                    continue
                value = translate(lang)
                if value and value != source:
                    record.with_context(lang=lang)[fname] = value

    def _credit_default_terms(self):
        """The company's default records still named as shipped, with their translatable texts:
        [(record, field, English source, translate(lang))]."""
        self.ensure_one()
        company = self.sudo()

        def lazy(record, fname, term):
            return (record, fname, term._translate("en_US"), term._translate)

        terms = []
        strategy = company.collection_strategy_id
        if strategy:
            terms += [lazy(strategy, "name", DEFAULT_STRATEGY_NAME), lazy(strategy, "note", DEFAULT_STRATEGY_NOTE)]
            by_name = {spec[0]._translate("en_US"): spec for spec in DEFAULT_STAGES}
            for stage in strategy.stage_ids:
                spec = by_name.get(stage.with_context(lang="en_US").name)
                if not spec:
                    continue
                name, _offset, _min, intro, extra = spec
                terms.append(lazy(stage, "name", name))
                if intro:
                    terms.append(lazy(stage, "email_intro", intro))
                if "activity" in extra:
                    terms.append(lazy(stage, "activity_summary", extra["activity"][1]))
        if company.collection_fee_product_id:
            terms.append(lazy(company.collection_fee_product_id.product_tmpl_id, "name", DEFAULT_FEE_PRODUCT_NAME))
        Factor = self.env["credit.score.factor"]

        def metric_label(metric):
            return lambda lang: dict(Factor._fields["metric"]._description_selection(self.with_context(lang=lang).env))[
                metric
            ]

        for card in self.env["credit.scorecard"].sudo().search([("company_id", "=", company.id)]):
            terms.append(lazy(card, "name", DEFAULT_SCORECARD_NAME))
            # a shipped factor is named after its metric: its name in each language is the metric's label there
            terms += [
                (factor, "name", metric_label(factor.metric)("en_US"), metric_label(factor.metric))
                for factor in card.factor_ids
            ]
        return terms

    def _credit_translate_defaults(self, langs=None):
        for company in self:
            self._credit_translate(company._credit_default_terms(), langs)

    def _credit_default_strategy(self):
        self.ensure_one()
        template = self.env.ref("credit_collection.mail_template_collection_reminder", raise_if_not_found=False)
        decider = (self._credit_approvers() or self._credit_managers())[:1]
        stages = []
        for sequence, (name, offset, min_amount, intro, extra) in enumerate(DEFAULT_STAGES, start=1):
            vals = {
                "sequence": sequence,
                "name": str(name._translate("en_US")),
                "offset_days": offset,
                "min_amount": min_amount,
                "credit_hold": extra.get("credit_hold", False),
                "legal_handover": extra.get("legal_handover", False),
            }
            if intro and template:
                vals.update(mail_template_id=template.id, email_intro=intro._translate("en_US"))
            if "activity" in extra:
                xmlid, summary, user_type, deadline = extra["activity"]
                activity_type = self.env.ref(xmlid, raise_if_not_found=False)
                if activity_type:
                    # the manager's review goes to the company's decider; without one, to the collector
                    user_type = user_type if decider or user_type != "user" else "collector"
                    vals.update(
                        activity_type_id=activity_type.id,
                        activity_summary=summary._translate("en_US"),
                        activity_user_type=user_type,
                        activity_user_id=decider.id,
                        activity_deadline_days=deadline,
                    )
            stages.append(fields.Command.create(vals))
        strategy = self.env["credit.collection.strategy"].create(
            {
                "name": DEFAULT_STRATEGY_NAME._translate("en_US"),
                "note": DEFAULT_STRATEGY_NOTE._translate("en_US"),
                "company_id": self.id,
                "sequence": 10,
                "stage_ids": stages,
            }
        )
        return strategy

    def _credit_default_grades(self):
        self.ensure_one()
        Grade = self.env["credit.grade"]
        grades = Grade
        # lowest first: the bands must tile 0-100 after every creation
        for name, low, months, multiple, equity, term, prepay, tolerance, guarantee, risk in DEFAULT_GRADES:
            grades |= Grade.create(
                {
                    "name": name,
                    "company_id": self.id,
                    "score_min": low,
                    "review_interval_months": months,
                    "limit_sales_multiple": multiple,
                    "limit_equity_percent": equity,
                    "max_payment_term_days": term,
                    "prepayment_percent": prepay,
                    "own_overdue_tolerance": tolerance is not None,
                    "overdue_tolerance_days": tolerance or 0,
                    "guarantee_above_amount": guarantee,
                    "collection_risk_factor": risk,
                }
            )
        return grades

    def _credit_default_scorecard(self):
        self.ensure_one()
        Factor = self.env["credit.score.factor"]
        card = self.env["credit.scorecard"].create(
            {
                "name": DEFAULT_SCORECARD_NAME._translate("en_US"),
                "company_id": self.id,
                "factor_ids": [
                    fields.Command.create(
                        {
                            "sequence": sequence,
                            "name": dict(
                                Factor._fields["metric"]._description_selection(self.with_context(lang="en_US").env)
                            )[metric],
                            "metric": metric,
                            "weight": weight,
                            "band_ids": [fields.Command.create({"value_from": v, "points": p}) for v, p in bands],
                        }
                    )
                    for sequence, (metric, weight, bands) in enumerate(DEFAULT_FACTORS, start=1)
                ],
            }
        )
        return card

    def _credit_default_fee_product(self):
        self.ensure_one()
        product = self.env["product.product"].create(
            {
                "name": DEFAULT_FEE_PRODUCT_NAME._translate("en_US"),
                "type": "service",
                "list_price": 0.0,
                "sale_ok": False,
                "purchase_ok": False,
                "company_id": self.id,
                "taxes_id": [fields.Command.clear()],
                "supplier_taxes_id": [fields.Command.clear()],
            }
        )
        return product

    # ------------------------------------------------------------------ what is missing
    def _credit_where(self, section=None, menu=None):
        """Where the user sets something, as the user reads it: a section of the settings or a
        configuration menu."""
        if menu:
            return self.env._("Credit & Collection > Configuration > %(menu)s", menu=menu)
        return self.env._("Settings > Credit & Collection > %(section)s", section=section)

    def _credit_setup_missing(self):
        """[(feature, what is missing and where to set it)] for this company: what each feature needs
        before it works. Empty when nothing is missing."""
        self.ensure_one()
        company = self.sudo()
        missing = []
        fees = self.env._("Late Fees and Write-offs")
        if not company.collection_allowance_account_id or not company.collection_bad_debt_account_id:
            names = [
                company._fields[f].get_description(self.env)["string"]
                for f in ("collection_allowance_account_id", "collection_bad_debt_account_id")
                if not company[f]
            ]
            missing.append(
                (
                    self.env._("Bad-debt provisions and write-offs"),
                    self.env._(
                        "set the %(fields)s in %(where)s.", fields=", ".join(names), where=self._credit_where(fees)
                    ),
                )
            )
        if not company.collection_fee_product_id:
            missing.append(
                (
                    self.env._("Late fees"),
                    self.env._("set the Late Fee Product in %(where)s.", where=self._credit_where(fees)),
                )
            )
        if not company.credit_approver_id and len(company._credit_managers()) < 2:
            missing.append(
                (
                    self.env._("Credit approvals and reviews"),
                    self.env._(
                        "who approves: the one who asks never decides, and %(company)s has %(count)s credit "
                        "manager(s). Set the Credit Approver in %(where)s, or give a second user the Credit "
                        "Manager role (Settings > Users).",
                        company=company.name,
                        count=len(company._credit_managers()),
                        where=self._credit_where(self.env._("Credit Approvals")),
                    ),
                )
            )
        if not company.collection_strategy_id:
            missing.append(
                (
                    self.env._("Collections"),
                    self.env._(
                        "the Default Collection Strategy: without it only customers with a strategy of their own or "
                        "of their grade are chased. Set it in %(where)s.",
                        where=self._credit_where(self.env._("Collection Strategy")),
                    ),
                )
            )
        if not self.env["credit.scorecard"].sudo()._for_company(company):
            missing.append(
                (
                    self.env._("Credit reviews"),
                    self.env._(
                        "a scorecard: create one in %(where)s.", where=self._credit_where(menu=self.env._("Scorecards"))
                    ),
                )
            )
        if not self.env["credit.grade"].sudo().search_count([("company_id", "=", company.id)]):
            missing.append(
                (
                    self.env._("Credit reviews"),
                    self.env._(
                        "credit grades: create them in %(where)s.",
                        where=self._credit_where(menu=self.env._("Credit Grades")),
                    ),
                )
            )
        return missing

    @api.model
    def _credit_setup_missing_html(self, missing):
        """The settings' checklist: one line per feature and what it misses."""
        items = Markup("").join(Markup("<li><b>%s</b>: %s</li>") % (feature, text) for feature, text in missing)
        return Markup("<ul>%s</ul>") % items

    # ------------------------------------------------------------------ Odoo's follow-ups
    def _collection_sends_reminders(self):
        """Whether this addon emails the payment reminders of this company: always, unless Odoo
        Enterprise's Follow-ups (account_followup) is installed and the company leaves reminders to it.
        Activities, holds, fees, promises and disputes do not depend on it."""
        self.ensure_one()
        if self.collection_reminder_engine == "credit_collection":
            return True
        followup = self.env["ir.module.module"].sudo()._get("account_followup")
        return followup.state not in ("installed", "to upgrade")
