from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from .aging_common import AgingCommon, D


class ProvisionCommon(AgingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.analyst = new_test_user(
            cls.env,
            login="cct_prov_analyst",
            groups="credit_collection.group_credit_analyst",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )
        cls.ifrs_set = cls.env["credit.aging.bucket.set"].create(
            {
                "name": "IFRS 9 IE12",
                "bucket_ids": [
                    Command.create(
                        {"name": "Current", "sequence": 1, "has_min": False, "max_value": 0, "provision_rate": 0.3}
                    ),
                    Command.create(
                        {"name": "1-30", "sequence": 2, "min_value": 1, "max_value": 30, "provision_rate": 1.6}
                    ),
                    Command.create(
                        {"name": "31-60", "sequence": 3, "min_value": 31, "max_value": 60, "provision_rate": 3.6}
                    ),
                    Command.create(
                        {"name": "61-90", "sequence": 4, "min_value": 61, "max_value": 90, "provision_rate": 6.6}
                    ),
                    Command.create(
                        {"name": "> 90", "sequence": 5, "min_value": 91, "has_max": False, "provision_rate": 10.6}
                    ),
                ],
            }
        )
        cls.expense = cls.env["account.account"].create(
            {"name": "Credit impairment loss", "code": "668100", "account_type": "expense"}
        )
        cls.allowance = cls.env["account.account"].create(
            {"name": "Allowance for doubtful accounts", "code": "123100", "account_type": "asset_current"}
        )
        cls.journal = cls.company_data["default_journal_misc"]

    def _run(self, as_of, user=None, **vals):
        return (
            self.env["credit.provision.run"]
            .with_user(user or self.analyst)
            .create(
                {
                    "date": as_of,
                    "company_id": self.company.id,
                    "bucket_set_id": self.ifrs_set.id,
                    "journal_id": self.journal.id,
                    "expense_account_id": self.expense.id,
                    "allowance_account_id": self.allowance.id,
                    **vals,
                }
            )
        )

    def _bucket_line(self, run, name):
        return run.line_ids.filtered(lambda line: line.bucket_id.name == name)


@tagged("post_install", "-at_install")
class TestProvisionIfrs(ProvisionCommon):
    """IFRS 9 Illustrative Example 12 (docs/reports.md): 15.0M / 7.5M / 4.0M / 2.5M / 1.0M at
    0.3 / 1.6 / 3.6 / 6.6 / 10.6 % -> 45k + 120k + 144k + 165k + 106k = 580k."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.current = cls._inv(15_000_000.0, date(2024, 6, 1), date(2024, 7, 31))
        cls.late15 = cls._inv(7_500_000.0, date(2024, 5, 16), date(2024, 6, 15))
        cls.late45 = cls._inv(4_000_000.0, date(2024, 4, 16), date(2024, 5, 16))
        cls.late75 = cls._inv(2_500_000.0, date(2024, 3, 17), date(2024, 4, 16), partner=cls.beta)
        cls.late90 = cls._inv(1_000_000.0, date(2023, 12, 1), date(2024, 1, 1), partner=cls.beta)

    def test_ifrs_example_580k_and_posting(self):
        run = self._run(D)
        run.action_compute()
        expected = {"Current": 45_000.0, "1-30": 120_000.0, "31-60": 144_000.0, "61-90": 165_000.0, "> 90": 106_000.0}
        for name, allowance in expected.items():
            self.assertEqual(self._bucket_line(run, name).allowance, allowance, f"allowance of bucket {name}")
        self.assertEqual(run.receivable_amount, 30_000_000.0)
        self.assertEqual(run.required_amount, 580_000.0)
        self.assertEqual(run.balance_amount, 0.0)
        self.assertEqual(run.adjustment_amount, 580_000.0)
        with self.assertRaises(UserError, msg="an analyst does not post"):
            run.action_post()
        self.assertFalse(run.move_id)
        run.with_user(self.manager).action_post()
        move = run.move_id
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.journal_id, self.journal)
        debit = move.line_ids.filtered(lambda line: line.account_id == self.expense)
        credit = move.line_ids.filtered(lambda line: line.account_id == self.allowance)
        self.assertEqual((debit.debit, credit.credit), (580_000.0, 580_000.0), "Dr expense / Cr allowance")
        self.assertEqual(run.closing_amount, 580_000.0)
        self.assertEqual(run.charge_amount, 580_000.0)

        # a second run for the same month is refused, nothing posted
        twin = self._run(date(2024, 6, 15))
        twin.action_compute()
        moves_before = self.env["account.move"].search_count([])
        with self.assertRaisesRegex(UserError, "already posted"):
            twin.with_user(self.manager).action_post()
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)
        self.assertEqual(twin.state, "computed")

        # July: the > 90 invoice is paid; the allowance is released by 106k (Dr allowance / Cr expense)
        self._pay(self.late90, 1_000_000.0, date(2024, 7, 10))
        july = self._run(date(2024, 7, 10))
        july.action_compute()
        self.assertEqual(july.balance_amount, 580_000.0)
        # at 10 July the 15.0M is still not due, 7.5M is 25 d late, 4.0M 55 d, 2.5M 85 d: same buckets
        self.assertEqual(july.required_amount, 474_000.0)
        july.with_user(self.manager).action_post()
        self.assertEqual(july.adjustment_amount, -106_000.0)
        release = july.move_id.line_ids.filtered(lambda line: line.account_id == self.allowance)
        self.assertEqual(release.balance, -july.adjustment_amount)
        self.assertEqual(july.opening_amount, 580_000.0)
        self.assertEqual(july.closing_amount, july.required_amount, "roll-forward closes on the required amount")

    def test_specific_provision_leaves_matrix(self):
        self.env["credit.provision.specific"].create(
            {"partner_id": self.beta.id, "move_id": self.late90.id, "rate": 100.0, "reason": "Legal case"}
        )
        run = self._run(D)
        run.action_compute()
        self.assertEqual(self._bucket_line(run, "> 90").balance, 0.0, "the invoice left the matrix")
        self.assertEqual(run.specific_amount, 1_000_000.0)
        self.assertEqual(run.required_amount, 580_000.0 - 106_000.0 + 1_000_000.0)
        with self.assertRaises(AccessError):
            self.env["credit.provision.specific"].with_user(self.analyst).create(
                {"partner_id": self.beta.id, "rate": 50.0, "reason": "x"}
            )

    def test_exports(self):
        run = self._run(D)
        run.action_compute()
        content = self.env["credit.provision.xlsx"].with_user(self.analyst)._generate(run)
        self.assertEqual(content[:2], b"PK")
        html = self.env["ir.actions.report"]._render_qweb_html(
            "credit_collection.report_credit_provision_run", run.ids
        )[0]
        self.assertIn(b"580,000.00", html)

    def test_bad_input(self):
        with self.assertRaisesRegex(UserError, "allowance account"):
            self._run(D, allowance_account_id=False).action_compute()
        with self.assertRaisesRegex(UserError, "receivable account"):
            self._run(D, allowance_account_id=self.company_data["default_account_receivable"].id).action_compute()
        with self.assertRaises(ValidationError):
            self.ifrs_set.bucket_ids[0].provision_rate = -1
        with self.assertRaises(ValidationError):
            self.env["credit.provision.specific"].create({"partner_id": self.beta.id, "rate": 120.0, "reason": "x"})
        run = self._run(D)
        with self.assertRaisesRegex(UserError, "Approve & Post"):
            run.write({"state": "posted"})
        self.assertFalse(self.env["credit.provision.run"].search([("state", "=", "posted")]))


@tagged("post_install", "-at_install")
class TestProvisionCohort(ProvisionCommon):
    """docs/reports.md: sales 100k, unpaid at due 50k, after 30 d 23k, 60 d 8k, 90 d 2k, all 2k
    written off -> 2.0 % / 4.0 % / 8.7 % / 25 % / 100 %."""

    def test_cohort_rates(self):
        due = date(2024, 1, 15)
        inv = self._inv(100_000.0, date(2023, 12, 16), due)
        for amount, day in ((50_000.0, due), (27_000.0, date(2024, 1, 25)), (15_000.0, date(2024, 2, 24))):
            self._pay(inv, amount, day)
        self._pay(inv, 6_000.0, date(2024, 3, 25))
        receivable = self.company_data["default_account_receivable"]
        write_off = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": date(2024, 5, 14),
                "journal_id": self.journal.id,
                "line_ids": [
                    Command.create({"account_id": self.allowance.id, "debit": 2_000.0}),
                    Command.create({"account_id": receivable.id, "partner_id": self.customer.id, "credit": 2_000.0}),
                ],
            }
        )
        write_off.action_post()
        (write_off.line_ids | inv.line_ids).filtered(lambda line: line.account_id == receivable).reconcile()
        self.assertEqual(inv.payment_state, "paid")
        run = self._run(D)
        run.action_compute()
        suggested = {line.bucket_id.name: line.suggested_rate for line in run.line_ids}
        self.assertEqual(suggested, {"Current": 2.0, "1-30": 4.0, "31-60": 8.7, "61-90": 25.0, "> 90": 100.0})
        self.assertEqual(run.write_off_amount, 0.0, "the write-off was in May")
        may = self._run(date(2024, 5, 31))
        may.action_compute()
        self.assertEqual((may.opening_amount, may.write_off_amount, may.closing_amount), (0.0, 2_000.0, -2_000.0))


@tagged("post_install", "-at_install")
class TestProvisionGradeRates(ProvisionCommon):
    """The IFRS 9 dataset with Beta in grade D: 61-90 at 10 % and > 90 at 50 % for grade D replace
    6.6 % and 10.6 %; the customer without a grade keeps the bucket's rates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._inv(15_000_000.0, date(2024, 6, 1), date(2024, 7, 31))
        cls._inv(4_000_000.0, date(2024, 4, 16), date(2024, 5, 16))  # 31-60
        cls._inv(2_000_000.0, date(2024, 3, 17), date(2024, 4, 16))  # 61-90, no grade
        cls._inv(2_500_000.0, date(2024, 3, 17), date(2024, 4, 16), partner=cls.beta)  # 61-90, grade D
        cls._inv(1_000_000.0, date(2023, 12, 1), date(2024, 1, 1), partner=cls.beta)  # > 90, grade D
        grades = cls.env["credit.grade"].create(
            [
                {"name": "A", "score_min": 50, "company_id": cls.company.id},
                {"name": "D", "score_min": 0, "company_id": cls.company.id},
            ]
        )
        cls.grade_d = grades[1]
        cls.beta.with_company(cls.company).credit_grade_id = cls.grade_d
        buckets = {b.name: b for b in cls.ifrs_set.bucket_ids}
        cls.rates = cls.env["credit.aging.grade.rate"].create(
            [
                {"set_id": cls.ifrs_set.id, "bucket_id": buckets["61-90"].id, "grade_id": cls.grade_d.id, "rate": 10.0},
                {"set_id": cls.ifrs_set.id, "bucket_id": buckets["> 90"].id, "grade_id": cls.grade_d.id, "rate": 50.0},
                # grade A has no item: its row changes nothing
                {"set_id": cls.ifrs_set.id, "bucket_id": buckets["> 90"].id, "grade_id": grades[0].id, "rate": 1.0},
            ]
        )

    def test_grade_rates_to_the_cent(self):
        run = self._run(D)
        run.action_compute()
        lines = {line.name: (line.balance, line.rate, line.allowance) for line in run.line_ids}
        self.assertEqual(lines["Current"], (15_000_000.0, 0.3, 45_000.0))
        self.assertEqual(lines["31-60"], (4_000_000.0, 3.6, 144_000.0))
        self.assertEqual(lines["61-90, no grade"], (2_000_000.0, 6.6, 132_000.0))
        self.assertEqual(lines["61-90, grade D"], (2_500_000.0, 10.0, 250_000.0))
        self.assertEqual(lines["> 90, grade D"], (1_000_000.0, 50.0, 500_000.0))
        self.assertEqual(run.required_amount, 45_000.0 + 144_000.0 + 132_000.0 + 250_000.0 + 500_000.0)
        items = run._items()
        rates = {(i["partner_id"], i["bucket_id"]): run._item_rate(i) for i in items}
        over_90 = self.ifrs_set.bucket_ids.filtered(lambda b: b.name == "> 90")
        self.assertEqual(rates[(self.beta.id, over_90.id)], 50.0, "the XLSX detail shows the grade's rate")
        content = self.env["credit.provision.xlsx"].with_user(self.analyst)._generate(run)
        self.assertEqual(content[:2], b"PK")

    def test_grade_rate_bad_input(self):
        with self.assertRaises(AccessError, msg="analysts read the matrix, managers set it"):
            self.rates[0].with_user(self.analyst).write({"rate": 1.0})
        self.assertEqual(self.rates[0].with_user(self.analyst).rate, 10.0, "readable, nothing written")
        other_set = self.env.ref("credit_collection.aging_bucket_set_days")
        with self.assertRaisesRegex(ValidationError, "belongs to set"):
            self.env["credit.aging.grade.rate"].create(
                {
                    "set_id": other_set.id,
                    "bucket_id": self.ifrs_set.bucket_ids[0].id,
                    "grade_id": self.grade_d.id,
                    "rate": 5.0,
                }
            )
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            self.rates[0].rate = 120.0


@tagged("post_install", "-at_install")
class TestProvisionLegalCases(ProvisionCommon):
    """An invoice handed over to legal / an agency leaves the matrix for a specific provision at the
    company's legal-case rate, and comes back to the matrix when it comes back from legal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inv = cls._inv(4_000_000.0, date(2024, 4, 16), date(2024, 5, 16))  # 31-60 at 3.6 %
        cls.agency = cls.env["res.partner"].create({"name": "Debt Agency"})

    def _hand_over(self, move, legal=True):
        # as the collection run's legal stage does (superuser): nobody writes these fields directly
        move.sudo().write(
            {"collection_legal": legal, "collection_legal_date": D, "collection_legal_partner_id": self.agency.id}
        )

    def _legal_specific(self, move):
        return (
            self.env["credit.provision.specific"]
            .with_context(active_test=False)
            .search([("move_id", "=", move.id), ("origin", "=", "legal")])
        )

    def test_legal_handover_is_provisioned_apart(self):
        self._hand_over(self.inv)
        spec = self._legal_specific(self.inv)
        self.assertEqual((spec.rate, spec.active, spec.partner_id), (100.0, True, self.customer))
        self.assertIn("Debt Agency", spec.reason)
        run = self._run(D)
        run.action_compute()
        self.assertEqual(self._bucket_line(run, "31-60").balance, 0.0, "the legal case left the matrix")
        self.assertEqual(run.specific_amount, 4_000_000.0)
        # back from legal: the provision is archived, the invoice is in the matrix again
        self._hand_over(self.inv, legal=False)
        self.assertFalse(spec.active)
        run.action_compute()
        self.assertEqual(self._bucket_line(run, "31-60").allowance, 144_000.0)
        self.assertEqual(run.specific_amount, 0.0)
        # handed over again: the same provision comes back, not a second one
        self._hand_over(self.inv)
        self.assertEqual(self._legal_specific(self.inv), spec)
        self.assertTrue(spec.active)

    def test_company_rate_and_own_assessment(self):
        self.company.credit_provision_legal_rate = 60.0
        self._hand_over(self.inv)
        self.assertEqual(self._legal_specific(self.inv).rate, 60.0)
        other = self._inv(1_000.0, date(2024, 4, 16), date(2024, 5, 16))
        manual = self.env["credit.provision.specific"].create(
            {"partner_id": self.customer.id, "move_id": other.id, "rate": 30.0, "reason": "Partial insurance"}
        )
        self._hand_over(other)
        self.assertFalse(self._legal_specific(other), "an invoice assessed on its own keeps its assessment")
        self.assertTrue(manual.active)
        self.company.credit_provision_legal_rate = 0.0
        third = self._inv(500.0, date(2024, 4, 16), date(2024, 5, 16))
        self._hand_over(third)
        self.assertFalse(self._legal_specific(third), "rate 0: legal cases stay in the matrix")
        with self.assertRaisesRegex(ValidationError, "between 0 and 100"):
            self.company.credit_provision_legal_rate = 120.0


@tagged("post_install", "-at_install")
class TestProvisionPosting(ProvisionCommon):
    """Posting what was shown, in date order, without mail; historical rates with their evidence."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.late45 = cls._inv(4_000_000.0, date(2024, 4, 16), date(2024, 5, 16))  # 31-60 at 30 June: 144k

    def test_changed_amount_is_shown_and_confirmed_again(self):
        run = self._run(D)
        run.action_compute()
        self.assertEqual(run.adjustment_amount, 144_000.0)
        self._inv(1_000_000.0, date(2023, 12, 1), date(2024, 1, 1), partner=self.beta)  # > 90: +106k
        action = run.with_user(self.manager).action_post()
        self.assertFalse(run.move_id, "an amount nobody saw is not posted")
        self.assertEqual(run.state, "computed")
        self.assertEqual(run.adjustment_amount, 250_000.0, "the new figures are on the run")
        message = action["params"]["message"]
        self.assertIn("144,000.00", message, "the amount shown")
        self.assertIn("250,000.00", message, "the amount it would post now")
        self.assertEqual(run.with_user(self.manager).action_post(), True, "confirmed again: posted")
        self.assertEqual(
            run.move_id.line_ids.filtered(lambda line: line.account_id == self.allowance).credit, 250_000.0
        )

    def test_manager_without_email_posts_with_formatted_amounts(self):
        self.manager.partner_id.email = False
        run = self._run(D)
        run.action_compute()
        run.with_user(self.manager).action_post()
        self.assertEqual(run.state, "posted")
        body = run.message_ids.filtered(lambda m: "Posted" in (m.body or ""))[:1].body
        self.assertIn("144,000.00", body, "amounts formatted in the company currency")
        self.assertIn(self.currency.symbol, body)

    def test_runs_post_in_date_order(self):
        june, july = self._run(D), self._run(date(2024, 7, 31))
        (june | july).action_compute()
        july.with_user(self.manager).action_post()
        self.assertEqual(july.required_amount, 4_000_000.0 * 0.066, "61-90 at 31 July")
        with self.assertRaisesRegex(UserError, "before Provision 2024-07.*Post runs in date order"):
            june.with_user(self.manager).action_post()
        self.assertEqual(june.state, "computed")
        self.assertEqual(july._allowance_balance(date(2024, 7, 31)), 264_000.0, "July's required amount")

    def test_allowance_balance_is_the_latest_posted_run(self):
        june = self._run(D)
        june.action_compute()
        june.with_user(self.manager).action_post()
        july = self._run(date(2024, 7, 31))
        july.action_compute()
        july.with_user(self.manager).action_post()
        self.assertEqual(july.adjustment_amount, 120_000.0)
        for day, required in ((D, 144_000.0), (date(2024, 7, 15), 144_000.0), (date(2024, 7, 31), 264_000.0)):
            self.assertEqual(june._allowance_balance(day), required, f"allowance at {day}")

    def test_run_name_in_the_company_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(["credit_collection"], ["zh_CN"], overwrite=True)
        self.company.partner_id.lang = "zh_CN"
        self.analyst.lang = "en_US"
        run = self._run(D)
        self.assertEqual(run.name, "坏账计提 2024-06", "the company's language, not the user's")
        self.company.partner_id.lang = "en_US"
        self.assertEqual(self._run(D).name, "Provision 2024-06")

    def test_historical_rates_show_their_evidence(self):
        run = self._run(D)
        run.action_compute()
        lines = run.line_ids.filtered("bucket_id")
        # one cohort invoice (the 4.0M, due 16 May, not yet in > 90 days by 30 June): no history
        self.assertEqual(set(lines.mapped("cohort_count")), {0})
        self.assertTrue(all(lines.mapped("rate_low_data")))
        self.assertEqual(set(lines.mapped("rate_evidence")), {"no history"})
        # an invoice of last year, half paid 45 days late, the rest still open
        old = self._inv(10_000.0, date(2023, 11, 1), date(2023, 12, 1))
        self._pay(old, 5_000.0, date(2024, 1, 15))
        run.action_compute()
        line = self._bucket_line(run, "> 90")
        self.assertEqual((line.cohort_count, line.cohort_amount, line.suggested_rate), (1, 5_000.0, 100.0))
        self.assertEqual(self._bucket_line(run, "31-60").cohort_amount, 10_000.0)
        self.assertEqual(self._bucket_line(run, "31-60").suggested_rate, 50.0)
        self.assertTrue(line.rate_low_data, "one invoice is too little data (minimum 20)")
        self.assertEqual(line.rate_evidence, "too little data (invoices: 1)")
        self.company.credit_provision_min_cohort = 1
        run.line_ids.invalidate_recordset(["rate_low_data", "rate_evidence"])
        self.assertFalse(line.rate_low_data)


@tagged("post_install", "-at_install")
class TestProvisionWriteOff(ProvisionCommon):
    def test_write_offs_count_in_rates_and_roll_forward(self):
        """A write-off by the wizard is a loss for the cohort and a write-off in the roll-forward, even
        the part charged to bad-debt expense; its reversal restores all of it."""
        self.company.write(
            {"collection_allowance_account_id": self.allowance.id, "collection_bad_debt_account_id": self.expense.id}
        )
        old = self._inv(10_000.0, date(2023, 11, 1), date(2023, 12, 1))
        self._pay(old, 5_000.0, date(2024, 1, 15))
        april = self._run(date(2024, 4, 30))
        april.action_compute()
        april.with_user(self.manager).action_post()
        self.assertEqual(april.required_amount, 530.0, "5 000 > 90 days at 10.6 %")
        self.env["credit.collection.writeoff"].with_user(self.manager).with_context(
            active_model="account.move", active_ids=old.ids
        ).create({"reason": "Bankrupt", "date": date(2024, 5, 14)}).action_write_off()
        entry = old.collection_writeoff_move_id
        self.assertEqual(
            {line.account_id: line.debit for line in entry.line_ids if line.debit},
            {self.allowance: 530.0, self.expense: 4_470.0},
        )
        may = self._run(date(2024, 5, 31))
        may.action_compute()
        self.assertEqual((may.opening_amount, may.write_off_amount, may.closing_amount), (530.0, 530.0, 0.0))
        rates = {line.bucket_id.name: line.suggested_rate for line in may.line_ids.filtered("bucket_id")}
        self.assertEqual(rates, {"Current": 50.0, "1-30": 50.0, "31-60": 50.0, "61-90": 100.0, "> 90": 100.0})
        old.with_user(self.manager).action_collection_reverse_writeoff()
        self.assertEqual(old.amount_residual, 5_000.0)
        today = date.today()
        self.assertEqual(may._allowance_balance(today), 530.0, "the allowance is restored")
        may.action_compute()
        self.assertEqual(self._bucket_line(may, "> 90").suggested_rate, 100.0, "still open: still a loss")


@tagged("post_install", "-at_install")
class TestProvisionXlsxDownload(ProvisionCommon, HttpCase):
    """The Export XLSX button streams the workbook from a route: no attachment is left per click."""

    def test_xlsx_streamed_without_attachment(self):
        run = self._run(D)
        run.action_compute()
        Attachment = self.env["ir.attachment"].sudo()
        attachments_before = Attachment.search_count([])
        self.authenticate("cct_prov_analyst", "cct_prov_analyst")
        for _click in range(2):
            action = run.with_user(self.analyst).action_export_xlsx()
            self.assertEqual(action["type"], "ir.actions.act_url")
            response = self.url_open(action["url"])
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.content[:2], b"PK", "an XLSX (zip) workbook")
            self.assertIn(f"provision_{run.period}.xlsx", response.headers["Content-Disposition"])
        self.assertEqual(Attachment.search_count([]), attachments_before, "nothing stored per click")

    def test_xlsx_route_checks_read_access(self):
        run = self._run(D)
        run.action_compute()
        url = run.with_user(self.analyst).action_export_xlsx()["url"]
        company = {"company_id": self.company.id, "company_ids": self.company.ids}
        new_test_user(self.env, login="cct_prov_sales", groups="sales_team.group_sale_salesman", **company)
        new_test_user(self.env, login="cct_prov_accountant", groups="account.group_account_invoice", **company)
        self.authenticate("cct_prov_sales", "cct_prov_sales")
        self.assertEqual(self.url_open(url).status_code, 403, "a sales rep does not read provision runs")
        self.authenticate("cct_prov_accountant", "cct_prov_accountant")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200, "an accountant reads the run, so may export it")
        self.assertEqual(response.content[:2], b"PK")
        self.assertEqual(self.url_open("/credit_collection/provision/0/xlsx").status_code, 404)


@tagged("post_install", "-at_install")
class TestProvisionCohortBoundaries(ProvisionCommon):
    """The cohort's rates on the days on which a bucket is entered, at the cohort's edges, with
    partial payments over the turn of the year, two payments on one day and a write-off; figures
    worked out by hand (the statement reads the payments in one pass and sums them per rank of
    their day: an off-by-one day or a write-off counted as paid changes them)."""

    def _write_off(self, invoice, amount, day):
        receivable = self.company_data["default_account_receivable"]
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": day,
                "journal_id": self.journal.id,
                "line_ids": [
                    Command.create({"account_id": self.allowance.id, "debit": amount}),
                    Command.create(
                        {"account_id": receivable.id, "partner_id": invoice.partner_id.id, "credit": amount}
                    ),
                ],
            }
        )
        entry.action_post()
        (entry.line_ids | invoice.line_ids).filtered(lambda line: line.account_id == receivable).reconcile()

    def _evidence(self, run):
        return {
            line.bucket_id.name: (line.cohort_count, line.cohort_amount, line.suggested_rate)
            for line in run.line_ids.filtered("bucket_id")
        }

    def test_days_cohort_to_the_cent(self):
        # run of 30 June 2024: the cohort is due from 1 April 2023 to 31 March 2024 (entered > 90 by
        # the run's date); buckets entered 1, 31, 61 and 91 days after the due date
        i1 = self._inv(1_000.0, date(2023, 11, 15), date(2023, 12, 15))
        self._pay(i1, 400.0, date(2023, 12, 15))  # on the due date: before 1-30
        self._pay(i1, 250.0, date(2024, 1, 14))  # day 30: before 31-60
        self._pay(i1, 350.0, date(2024, 1, 15))  # day 31: paid off on entering 31-60
        i2 = self._inv(2_000.0, date(2024, 3, 1), date(2024, 3, 31))  # last day of the cohort
        self._pay(i2, 500.0, date(2024, 4, 30))
        self._pay(i2, 500.0, date(2024, 4, 30))  # two payments on day 30
        self._pay(i2, 1_000.0, date(2024, 7, 5))  # after the run's date: 1 000 lost at the date
        i3 = self._inv(3_000.0, date(2023, 3, 2), date(2023, 4, 1))  # first day of the cohort
        self._pay(i3, 1_500.0, date(2023, 7, 1))
        self._pay(i3, 1_500.0, date(2023, 7, 1))  # paid off on day 91, entering > 90
        self._inv(4_000.0, date(2023, 3, 1), date(2023, 3, 31))  # a day too old: not in the cohort
        self._inv(5_000.0, date(2024, 3, 2), date(2024, 4, 1))  # a day too young: not in the cohort
        i6 = self._inv(600.0, date(2023, 9, 1), date(2023, 10, 1))
        self._pay(i6, 100.0, date(2023, 9, 20))  # before the due date
        self._write_off(i6, 500.0, date(2024, 2, 1))  # a loss, not a payment
        i8 = self._inv(800.0, date(2024, 1, 1), date(2024, 1, 31), partner=self.beta)
        self._pay(i8, 800.0, date(2024, 1, 31))  # paid on the due date: never entered 1-30
        run = self._run(D)
        run.action_compute()
        # cohort 7 400; paid 5 900 (1 000 + 1 000 + 3 000 + 100 + 800); lost 1 500 (1 000 open, 500 written off)
        self.assertEqual(
            self._evidence(run),
            {
                "Current": (5, 7_400.0, 20.27),  # everything: 1 500 / 7 400
                "1-30": (4, 6_100.0, 24.59),  # - 400 - 100 - 800 paid by day 0; i8 paid off
                "31-60": (4, 4_850.0, 30.93),  # - 250 - 1 000 paid by day 30; i1 paid off on day 31 counts
                "61-90": (3, 4_500.0, 33.33),  # - 350; i1 no longer counts
                "> 90": (3, 4_500.0, 33.33),  # i3 paid off on day 91 still counts, its payments do not
            },
        )

    def test_years_cohort_to_the_cent(self):
        # years since the invoice date; the last bucket (> 5 years) is entered on the day after the
        # fifth anniversary: the cohort is invoiced from 30 June 2018 to 29 June 2019
        y1 = self._inv(1_000.0, date(2018, 12, 1))
        self._pay(y1, 300.0, date(2019, 12, 1))  # the first anniversary: before 1-2 years
        self._pay(y1, 200.0, date(2019, 12, 2))  # entering 1-2 years; 500 never paid
        y2 = self._inv(400.0, date(2019, 6, 29))  # last day of the cohort
        self._pay(y2, 400.0, date(2021, 6, 29))  # second anniversary: before 2-3 years
        self._inv(700.0, date(2018, 6, 29))  # a day too old: not in the cohort
        run = self._run(D, bucket_set_id=self.years_set.id)
        run.action_compute()
        self.assertEqual(
            self._evidence(run),
            {
                "≤ 1 year": (2, 1_400.0, 35.71),  # lost 500 / 1 400
                "1-2 years": (2, 1_100.0, 45.45),
                "2-3 years": (1, 500.0, 100.0),
                "3-4 years": (1, 500.0, 100.0),
                "4-5 years": (1, 500.0, 100.0),
                "> 5 years": (1, 500.0, 100.0),
            },
        )
