"""The first day in a company: what works with no configuration at all.

Runs on the demo database and, in `make test`, on a database installed WITHOUT demo data (tag
`first_day`). The fixture's company is created after the addon is installed, like a company a
customer adds later; `test_every_company_is_ready` also checks the companies that existed at install."""

import os
from datetime import timedelta

import polib

from odoo import Command, fields
from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from ..models.res_company_defaults import DEFAULT_STRATEGY_NAME
from .test_i18n import I18N, zh_catalog

STAGES = [
    # name, days from due date, minimum, email, activity, hold, legal
    ("Friendly pre-due reminder", -3, 0.0, True, False, False, False),
    ("Reminder", 1, 0.0, True, False, False, False),
    ("Second notice", 15, 50.0, True, True, False, False),
    ("Formal warning", 30, 50.0, True, False, True, False),
    ("Final notice", 60, 50.0, True, True, False, False),
    ("Legal handover", 90, 50.0, False, False, False, True),
]


@tagged("post_install", "-at_install", "first_day")
class TestFirstDay(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]  # created after install: it got the defaults
        # the fixture's own user runs the nightly jobs and reads their traces
        cls.env.user.groups_id += cls.env.ref("credit_collection.group_credit_manager")
        cls.today = fields.Date.context_today(cls.env.user)
        company = {"company_id": cls.company.id, "company_ids": cls.company.ids}
        cls.analyst = new_test_user(
            cls.env, login="cct_fd_analyst", groups="credit_collection.group_credit_analyst", **company
        )
        cls.manager = new_test_user(
            cls.env, login="cct_fd_manager", groups="credit_collection.group_credit_manager", **company
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "cct First Customer", "is_company": True, "email": "ap@first.example"}
        )

    def _invoice(self, amount, due_in_days, partner=None):
        due = self.today + timedelta(days=due_in_days)
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": (partner or self.customer).id,
                "company_id": self.company.id,
                "invoice_date": min(due - timedelta(days=30), self.today),
                "invoice_date_due": due,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create({"name": "goods", "quantity": 1, "price_unit": amount, "tax_ids": []})
                ],
            }
        )
        move.action_post()
        return move

    def _run(self):
        self.env["credit.collection.run"]._cron_collection_run(commit=False)

    def _history(self, move):
        return self.env["credit.collection.history"].search([("move_id", "=", move.id)], order="id")

    # ------------------------------------------------------------------ defaults per company
    def _assert_ready(self, company):
        company = company.sudo()
        strategy = company.collection_strategy_id
        self.assertTrue(strategy, f"{company.name}: a default collection strategy")
        self.assertEqual(strategy.company_id, company)
        stages = strategy.stage_ids.sorted("sequence")
        self.assertEqual([s.offset_days for s in stages], [s[1] for s in STAGES], f"{company.name}: the stages' days")
        self.assertEqual(
            [(bool(s.mail_template_id), s.credit_hold, s.legal_handover) for s in stages],
            [(s[3], s[5], s[6]) for s in STAGES],
            f"{company.name}: emails, the hold at the formal warning, legal at the end",
        )
        grades = self.env["credit.grade"].sudo().search([("company_id", "=", company.id)], order="score_min")
        self.assertEqual(grades.mapped("name"), ["E", "D", "C", "B", "A"], company.name)
        self.assertEqual(grades.mapped("score_min"), [0, 40, 55, 70, 85], company.name)
        card = self.env["credit.scorecard"].sudo()._for_company(company)
        self.assertTrue(card, f"{company.name}: a scorecard")
        self.assertEqual(sum(card.factor_ids.mapped("weight")), 100.0)
        product = company.collection_fee_product_id
        self.assertTrue(product, f"{company.name}: a late-fee product")
        self.assertEqual(product.type, "service")

    def test_every_company_is_ready(self):
        """The companies present at install (with demo data: the demo's own strategy, grades and
        scorecard) and every company created since."""
        for company in self.env["res.company"].search([]):
            self._assert_ready(company)

    def test_new_company_gets_the_defaults(self):
        company = self.company
        self._assert_ready(company)
        stages = company.collection_strategy_id.stage_ids.sorted("sequence")
        self.assertEqual(stages.mapped("name"), [s[0] for s in STAGES])
        self.assertEqual([s.min_amount for s in stages], [s[2] for s in STAGES])
        self.assertEqual(
            [bool(s.activity_type_id) for s in stages], [s[4] for s in STAGES], "a call, then a manager's review"
        )
        grade_d = self.env["credit.grade"].search([("company_id", "=", company.id), ("name", "=", "D")])
        self.assertEqual(
            (grade_d.review_interval_months, grade_d.max_payment_term_days, grade_d.prepayment_percent),
            (6, 30, 30.0),
        )
        product = company.collection_fee_product_id
        self.assertEqual(product.company_id, company)
        self.assertFalse(product.taxes_id, "a late fee carries no tax unless the company adds one")
        # the aging bucket sets are shared by all companies: both are there for this one
        sets = self.env["credit.aging.bucket.set"].with_user(self.manager).search([])
        self.assertIn(self.env.ref("credit_collection.aging_bucket_set_days"), sets)
        self.assertIn(self.env.ref("credit_collection.aging_bucket_set_years"), sets)
        run = self.env["credit.provision.run"].with_user(self.manager).with_company(company).new({})
        self.assertTrue(run.bucket_set_id, "a provision run has its bucket set at once")

    def test_a_company_created_later_gets_them_too_and_nobody_overwrites_them(self):
        admin = new_test_user(
            self.env, login="cct_fd_admin", groups="base.group_system,base.group_erp_manager,base.group_partner_manager"
        )
        company = self.env["res.company"].with_user(admin).create({"name": "cct Later Co"})
        self._assert_ready(company)
        strategy = company.sudo().collection_strategy_id
        strategy.stage_ids[0].offset_days = -5  # the user's own choice
        counts = [
            self.env[model].sudo().search_count([("company_id", "=", company.id)])
            for model in ("credit.collection.strategy", "credit.grade", "credit.scorecard")
        ]
        company._credit_install_defaults()
        self.assertEqual(
            counts,
            [
                self.env[model].sudo().search_count([("company_id", "=", company.id)])
                for model in ("credit.collection.strategy", "credit.grade", "credit.scorecard")
            ],
            "nothing created twice",
        )
        self.assertEqual(strategy.stage_ids.sorted("sequence")[0].offset_days, -5, "the user's edit is kept")

    # ------------------------------------------------------------------ a review with no configuration
    def test_review_measured_scored_and_approved_with_no_configuration(self):
        self._invoice(1000.0, -20)  # open, 20 days overdue
        review = (
            self.env["credit.review"]
            .with_user(self.analyst)
            .create({"partner_id": self.customer.id, "company_id": self.company.id})
        )
        review.action_compute()
        with_data = review.score_line_ids.filtered("has_data")
        self.assertEqual(len(review.score_line_ids), 9, "every factor of the default scorecard")
        # no statement, no ratings, no payment yet: the invoices paid late (the one that fell due is
        # late: 100 %, 20 points), the oldest overdue invoice (20 days: 80 points) and the years in
        # business (0: 20 points), equal weights: (20 + 80 + 20) / 3 = 40
        self.assertEqual(
            sorted((line.factor_id.metric, line.points) for line in with_data),
            [("late_share", 20.0), ("oldest_overdue_days", 80.0), ("years_in_business", 20.0)],
        )
        self.assertAlmostEqual(review.score, 40.0, places=2)
        self.assertEqual(review.computed_grade_id.name, "D", "40 <= 40 < 55")
        self.assertEqual(review.proposed_grade_id, review.computed_grade_id)
        # D: 1 × average monthly sales 1,000 / 12
        self.assertAlmostEqual(review.suggested_limit, 83.33, places=2)
        review.action_submit()
        review.with_user(self.manager).action_approve()
        partner = self.customer.with_company(self.company)
        self.assertEqual(review.state, "approved")
        self.assertEqual(partner.credit_grade_id.name, "D")
        self.assertAlmostEqual(partner.credit_limit, 83.33, places=2)

    # ------------------------------------------------------------------ the daily run
    def test_the_run_chases_with_the_default_strategy(self):
        late = self.env["res.partner"].create(
            {"name": "cct Late Payer", "is_company": True, "email": "ap@late.example"}
        )
        soon = self._invoice(400.0, 2)  # falls due in 2 days: the pre-due reminder
        overdue = self._invoice(900.0, -35, partner=late)  # 35 days: formal warning, catch-up
        self._run()
        stages = {s.name: s for s in self.company.collection_strategy_id.stage_ids}
        self.assertEqual(soon.collection_stage_id, stages["Friendly pre-due reminder"])
        self.assertIn("email", self._history(soon).actions)
        self.assertEqual(overdue.collection_stage_id, stages["Formal warning"])
        self.assertTrue(late.with_company(self.company).credit_hold, "the formal warning stops supply")
        self.assertIn("Formal warning", late.with_company(self.company).credit_hold_reason)
        mails = self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", late.id), ("subject", "ilike", "Formal warning")]
        )
        self.assertEqual(len(mails), 1, "one email for the stage reached; the skipped ones send none")
        self.assertEqual(overdue.collection_next_stage_id, stages["Final notice"])

    # ------------------------------------------------------------------ Odoo's own follow-ups
    def _followup_installed(self, state="installed"):
        Module = self.env["ir.module.module"].sudo()
        module = Module._get("account_followup")
        if module:
            module.state = state
        else:
            Module.create({"name": "account_followup", "state": state, "shortdesc": "Follow-up Management"})
            self.env.registry.clear_cache()  # the module's id is cached by name

    def test_beside_odoo_followups_no_reminder_unless_the_company_chooses_the_addon(self):
        self.assertTrue(self.company._collection_sends_reminders(), "without Follow-ups the addon sends them")
        self._followup_installed()
        self.assertEqual(self.company.collection_reminder_engine, "followup")
        self.assertFalse(self.company._collection_sends_reminders())
        late = self.env["res.partner"].create(
            {"name": "cct Late Payer", "is_company": True, "email": "ap@late.example"}
        )
        late.with_company(self.company).credit_collector_id = self.manager  # who gets the call
        overdue = self._invoice(900.0, -20, partner=late)  # second notice: email and a call
        self._run()
        stages = {s.name: s for s in self.company.collection_strategy_id.stage_ids}
        self.assertEqual(overdue.collection_stage_id, stages["Second notice"], "the stage still moves")
        history = self._history(overdue)
        self.assertFalse(history.mail_message_id, "no reminder: Odoo's follow-ups send them")
        self.assertNotIn("email", history.actions)
        self.assertTrue(
            late.activity_ids.filtered(lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_call")),
            "the call is still planned",
        )
        # the company picks the addon as its reminder engine: the next stage emails again
        self.company.collection_reminder_engine = "credit_collection"
        self.assertTrue(self.company._collection_sends_reminders())
        overdue_more = self._invoice(700.0, -35, partner=late)
        self._run()
        history = self._history(overdue_more)
        self.assertTrue(history.mail_message_id, "the addon emails the formal warning")
        self.assertTrue(late.with_company(self.company).credit_hold)
        # an uninstalled Follow-ups leaves the reminders to the addon whatever the setting
        self.company.collection_reminder_engine = "followup"
        self._followup_installed("uninstalled")
        self.assertTrue(self.company._collection_sends_reminders())

    # ------------------------------------------------------------------ what is missing
    def test_settings_say_what_is_missing_and_errors_name_the_setting(self):
        company = self.company
        features = dict(company.with_user(self.manager)._credit_setup_missing())
        self.assertIn("Allowance Account", features["Bad-debt provisions and write-offs"])
        self.assertIn(
            "Settings > Credit & Collection > Late Fees and Write-offs", features["Bad-debt provisions and write-offs"]
        )
        self.assertNotIn("Late fees", features, "the late-fee product is there from the first day")
        self.assertNotIn("Credit approvals and reviews", features, "two credit managers: each decides for the other")
        self.manager.groups_id += self.env.ref("base.group_system")  # who opens the settings
        settings = self.env["res.config.settings"].with_user(self.manager).with_company(company).create({})
        self.assertFalse(settings.credit_setup_complete)
        self.assertIn("Bad-debt provisions and write-offs", settings.credit_setup_missing_html)
        # late fee without a product: the error names the setting and where it is
        company.collection_fee_product_id = False
        self.assertIn("Late fees", dict(company._credit_setup_missing()))
        move = self._invoice(500.0, -40)
        stage = company.collection_strategy_id.stage_ids.sorted("sequence")[3]
        stage.write({"fee_type": "fixed", "fee_amount": 10.0})
        with self.assertRaisesRegex(
            UserError, "Late Fee Product: set it in Settings > Credit & Collection > Late Fees"
        ):
            move._collection_charge_late_fee(stage)
        # a write-off without accounts
        wizard = (
            self.env["credit.collection.writeoff"]
            .with_user(self.manager)
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"reason": "bankrupt", "company_id": company.id})
        )
        with self.assertRaisesRegex(UserError, "Bad Debt Expense Account and the Allowance Account .* Late Fees and"):
            wizard.action_write_off()
        # a provision run without accounts
        run = self.env["credit.provision.run"].with_user(self.manager).with_company(company).create({})
        with self.assertRaisesRegex(UserError, "an allowance account, an impairment expense account"):
            run.action_compute()
        # set in the settings, the run proposes them
        expense = self.company_data["default_account_expense"]
        allowance = self.env["account.account"].create(
            {"name": "Allowance for doubtful accounts", "code": "CCT1231", "account_type": "asset_current"}
        )
        company.write({"collection_allowance_account_id": allowance.id, "collection_bad_debt_account_id": expense.id})
        run = self.env["credit.provision.run"].with_user(self.manager).with_company(company).create({})
        self.assertEqual((run.allowance_account_id, run.expense_account_id), (allowance, expense))
        self.assertEqual(run.journal_id.type, "general", "the company's miscellaneous journal, at once")
        self.assertNotIn("Bad-debt provisions and write-offs", dict(company._credit_setup_missing()))

    def test_a_lone_credit_manager_is_told_who_must_approve(self):
        lonely = self.env["res.company"].create({"name": "cct Lonely Co"})
        boss = new_test_user(
            self.env,
            login="cct_fd_boss",
            groups="credit_collection.group_credit_manager",
            company_id=lonely.id,
            company_ids=lonely.ids,
        )
        # the admin of the database may be a credit manager of every company: keep the boss alone
        others = lonely._credit_managers() - boss
        others.write({"company_ids": [Command.unlink(lonely.id)]})
        self.assertIn("Credit Approver", dict(lonely._credit_setup_missing())["Credit approvals and reviews"])
        review = (
            self.env["credit.review"].with_user(boss).create({"partner_id": self.customer.id, "company_id": lonely.id})
        )
        review.action_compute()
        with self.assertRaisesRegex(UserError, "nobody but you could decide .* Credit Approver in Settings > Credit"):
            review.action_submit()
        lonely.credit_approver_id = self.manager
        self.manager.company_ids |= lonely
        review.action_submit()
        self.assertEqual(review.state, "submitted")

    # ------------------------------------------------------------------ in the users' language
    def test_defaults_follow_a_language_installed_later_but_keep_the_users_words(self):
        card = self.env["credit.scorecard"]._for_company(self.company)
        factors = card.factor_ids.sorted("sequence")
        # the user's wording, typed before Chinese was installed (only an English value is stored)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE credit_score_factor SET name = jsonb_build_object('en_US', 'Our own debt factor') WHERE id = %s",
            [factors[1].id],
        )
        factors.invalidate_recordset(["name"])
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["credit_collection"], ["zh_CN"])
        zh = {entry.msgid: entry.msgstr for entry in zh_catalog() if entry.msgstr}
        label = "Current ratio (current assets ÷ current liabilities)"
        self.assertEqual(factors[0].with_context(lang="zh_CN").name, zh[label], "named after its metric, in Chinese")
        self.assertEqual(factors[0].with_context(lang="en_US").name, label)
        self.assertEqual(factors[1].with_context(lang="zh_CN").name, "Our own debt factor", "the user's words stay")
        strategy = self.company.collection_strategy_id
        # the strategy's texts are the addon's code terms: Chinese wherever the shipped catalogue has them
        self.assertEqual(
            strategy.with_context(lang="zh_CN").name, DEFAULT_STRATEGY_NAME._translate("zh_CN"), "translated as shipped"
        )
        template = polib.pofile(os.path.join(I18N, "credit_collection.pot"))
        if any(
            entry.msgid == "Standard" and any(o[0].endswith("res_company_defaults.py") for o in entry.occurrences)
            for entry in template
        ):  # once the template carries the addon's code terms (make pot)
            self.assertEqual(strategy.with_context(lang="zh_CN").name, zh["Standard"])
        self.assertEqual(strategy.with_context(lang="en_US").name, "Standard")
