import inspect
import io
import zipfile
from datetime import date

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .aging_common import AgingCommon, D


@tagged("post_install", "-at_install")
class TestAging(AgingCommon):
    """Dataset (company currency unless said), as of 30 June 2024, days-past-due buckets:

    inv1  1 000.00  invoiced 2024-04-01, due 2024-05-01 (60 d -> 31-60):  300 paid 2024-05-15, 200 paid 2024-07-10
          -> open 700.00 at D (the July payment is added back), 500.00 today
    inv2    400.00  invoiced 2024-06-20, due 2024-07-20 (not due)
    ref1   -150.00  refund 2024-06-25, unapplied (its own date is its due date: 5 d -> 1-30)
    pay1   -100.00  unapplied payment 2024-06-28 (age 2 d -> 1-30)
    inv3  EUR 1 000 invoiced 2024-05-10 at 2.0 -> 500.00, due 2024-05-31 (30 d), paid 2024-07-05 at 2.5
    misc    250.00  journal entry on the receivable account without due date, 2023-01-15 (532 d -> > 365)
    inv4    999.00  invoiced 2024-07-02: after D, left out
    beta    800.00  Beta, invoiced 2024-02-01 due 2024-03-02 (120 d -> 91-120)
    other company: 5 000.00 on 2024-06-01, never in this company's figures
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.eur = cls.setup_other_currency("EUR", rates=[("2024-01-01", 2.0), ("2024-07-01", 2.5)])
        cls.inv1 = cls._inv(1000.0, date(2024, 4, 1), date(2024, 5, 1))
        cls._pay(cls.inv1, 300.0, date(2024, 5, 15))
        cls._pay(cls.inv1, 200.0, date(2024, 7, 10))
        cls.inv2 = cls._inv(400.0, date(2024, 6, 20), date(2024, 7, 20))
        cls.ref1 = cls._inv(150.0, date(2024, 6, 25), move_type="out_refund")
        cls.pay1 = cls._payment(100.0, date(2024, 6, 28))
        cls.inv3 = cls._inv(1000.0, date(2024, 5, 10), date(2024, 5, 31), currency=cls.eur)
        cls._pay(cls.inv3, 1000.0, date(2024, 7, 5))
        receivable = cls.company_data["default_account_receivable"]
        cls.misc = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "date": date(2023, 1, 15),
                "journal_id": cls.company_data["default_journal_misc"].id,
                "line_ids": [
                    Command.create(
                        {
                            "account_id": receivable.id,
                            "partner_id": cls.customer.id,
                            "debit": 250.0,
                            "date_maturity": False,
                        }
                    ),
                    Command.create({"account_id": cls.company_data["default_account_revenue"].id, "credit": 250.0}),
                ],
            }
        )
        cls.misc.action_post()
        cls.misc.line_ids.filtered(lambda line: line.account_id == receivable).date_maturity = False
        cls.inv4 = cls._inv(999.0, date(2024, 7, 2), date(2024, 8, 1))
        cls.inv_beta = cls._inv(800.0, date(2024, 2, 1), date(2024, 3, 2), partner=cls.beta)
        cls.other = cls.setup_other_company(name="Other Co")["company"]
        cls._inv(5000.0, date(2024, 6, 1), partner=cls.beta, company=cls.other)

    def _bucket(self, name, bucket_set=None):
        return (bucket_set or self.days_set).bucket_ids.filtered(lambda b: b.name == name)

    def test_buckets_to_the_cent_and_tie_out(self):
        totals = self.engine.get_totals("bucket_id", as_of=D, companies=self.company)
        by_bucket = self._totals_by_bucket(totals)
        expected = {
            "Not due": 400.0,
            "1-30": -150.0 - 100.0 + 500.0,
            "31-60": 700.0,
            "61-90": 0.0,
            "91-120": 800.0,
            "> 365": 250.0,
        }
        for name, amount in expected.items():
            self.assertEqual(by_bucket.get(self._bucket(name).id, 0.0), amount, f"bucket {name} at {D}")
        total = self.currency.round(sum(by_bucket.values()))
        self.assertEqual(total, 2400.0, "open receivable at D")
        self.assertEqual(total, self.currency.round(self.engine.get_ledger_balance(D, self.company)), "tie-out to GL")

    def test_tie_out_at_many_dates(self):
        """Whatever the date, the aging total equals the receivable accounts' balance at that date."""
        dates = (date(2023, 1, 14), date(2024, 5, 14), date(2024, 5, 15), D, date(2024, 7, 5), date(2024, 12, 31))
        # past, today and future dates (a future date adds back nothing and ages everything further)
        for as_of in (*dates, fields.Date.today(), date(2099, 1, 1)):
            items = self.engine.get_items(as_of=as_of, companies=self.company)
            total = self.currency.round(sum(i["residual"] for i in items))
            self.assertEqual(
                total, self.currency.round(self.engine.get_ledger_balance(as_of, self.company)), f"tie-out at {as_of}"
            )
            self.assertTrue(all(i["bucket_id"] for i in items), "every item lands in a bucket")

    def test_partial_payment_after_date_added_back(self):
        items = {i["move_id"]: i for i in self.engine.get_items(as_of=D, companies=self.company)}
        self.assertEqual(items[self.inv1.id]["residual"], 700.0, "the 10 July payment is added back at 30 June")
        self.assertEqual(items[self.inv1.id]["age"], 60)
        self.assertEqual(items[self.inv3.id]["residual"], 500.0, "EUR invoice at its booking rate")
        self.assertEqual(items[self.inv3.id]["residual_currency"], 1000.0, "open in EUR")
        self.assertEqual(items[self.inv3.id]["currency_id"], self.eur.id)
        self.assertNotIn(self.inv4.id, items, "invoice dated after D left out")
        self.assertEqual(items[self.misc.id]["age"], (D - date(2023, 1, 15)).days, "no due date: aged from its date")
        today_items = {i["move_id"]: i for i in self.engine.get_items(as_of=date(2024, 7, 31), companies=self.company)}
        self.assertEqual(today_items[self.inv1.id]["residual"], 500.0)
        self.assertNotIn(self.inv3.id, today_items, "paid EUR invoice is closed")

    def test_same_total_whichever_grouping(self):
        reference = None
        for groupby in ("partner_id", "user_id", "team_id", "country_id", "company_id", "grade_id", "bucket_id"):
            totals = self.engine.get_totals(groupby, as_of=D, companies=self.company)
            grand = self.currency.round(sum(g["total"] for g in totals.values()))
            reference = reference if reference is not None else grand
            self.assertEqual(grand, reference, f"grand total grouped by {groupby}")
            for key, group in totals.items():
                cols = self.currency.round(sum(v for k, v in group.items() if isinstance(k, int)))
                self.assertEqual(cols, self.currency.round(group["total"]), f"columns add up for {groupby}={key}")
        self.assertEqual(reference, 2400.0)
        by_partner = self.engine.get_totals("partner_id", as_of=D, companies=self.company)
        self.assertEqual(self.currency.round(by_partner[self.beta.id]["total"]), 800.0)

    def test_grouping_by_grade_in_views_and_exports(self):
        """The pivot's model, the wizard and its exports group by the customer's grade too."""
        grades = self.env["credit.grade"].create(
            [
                {"name": "A", "score_min": 50, "company_id": self.company.id},
                {"name": "D", "score_min": 0, "company_id": self.company.id},
            ]
        )
        self.beta.with_company(self.company).credit_grade_id = grades[1]
        report = self.env["credit.aging.report"].with_context(credit_aging_date=str(D))
        by_grade = dict(report._read_group([("company_id", "=", self.company.id)], ["grade_id"], ["residual:sum"]))
        self.assertEqual(self.currency.round(by_grade[grades[1]]), 800.0, "Beta's invoice under grade D")
        self.assertEqual(self.currency.round(by_grade[self.env["credit.grade"]]), 1600.0, "customers without grade")
        wizard = (
            self.env["credit.aging.wizard"]
            .with_user(self.collector)
            .create({"date": D, "bucket_set_id": self.days_set.id, "groupby": "grade_id", "grade_ids": grades[1].ids})
        )
        lines, _buckets, _columns, total = wizard._summary()
        self.assertEqual([(group.name, amount) for group, _amounts, amount in lines], [("D", 800.0)])
        self.assertEqual(total, 800.0)
        self.assertEqual(wizard.action_open_pivot()["context"]["pivot_row_groupby"], ["grade_id"])

    def test_disputed_amounts_apart(self):
        """A disputed invoice's open amount at the date is reported apart, in every grouping and in
        the pivot's model; the total does not change."""
        self.inv1.action_collection_dispute("price")
        self.env.flush_all()
        by_partner = self.engine.get_totals("partner_id", as_of=D, companies=self.company)
        self.assertEqual(self.currency.round(by_partner[self.customer.id]["disputed"]), 700.0)
        self.assertEqual(by_partner[self.beta.id]["disputed"], 0.0)
        self.assertEqual(self.currency.round(sum(g["total"] for g in by_partner.values())), 2400.0)
        by_user = self.engine.get_totals("user_id", as_of=D, companies=self.company)
        self.assertEqual(self.currency.round(sum(g["disputed"] for g in by_user.values())), 700.0)
        report = self.env["credit.aging.report"].with_context(credit_aging_date=str(D))
        [group] = report._read_group(
            [("company_id", "=", self.company.id), ("partner_id", "=", self.customer.id)],
            [],
            ["disputed_residual:sum", "undisputed_residual:sum"],
        )
        self.assertEqual([self.currency.round(v) for v in group], [700.0, 900.0])

    def test_several_companies(self):
        both = self.company | self.other
        total = sum(g["total"] for g in self.engine.get_totals("company_id", as_of=D, companies=both).values())
        self.assertEqual(self.currency.round(total), 7400.0)
        by_company = self.engine.get_totals("company_id", as_of=D, companies=both)
        self.assertEqual(by_company[self.other.id]["total"], 5000.0)
        self.assertEqual(self.engine.get_ledger_balance(D, both), 7400.0)

    def test_years_since_invoice(self):
        totals = self.engine.get_totals("bucket_id", as_of=D, bucket_set=self.years_set, companies=self.company)
        by_bucket = self._totals_by_bucket(totals)
        self.assertEqual(by_bucket[self._bucket("≤ 1 year", self.years_set).id], 2150.0)
        self.assertEqual(by_bucket[self._bucket("1-2 years", self.years_set).id], 250.0, "January 2023 entry")
        # exactly one year is still the first bucket, one day more is the second
        self.assertEqual(self.engine.get_items(as_of=date(2024, 1, 15), bucket_set=self.years_set)[0]["age"], 1)
        misc = [
            i
            for i in self.engine.get_items(as_of=date(2024, 1, 16), bucket_set=self.years_set, companies=self.company)
            if i["move_id"] == self.misc.id
        ]
        self.assertEqual(misc[0]["age"], 2)

    def test_report_model_as_collector(self):
        report = self.env["credit.aging.report"].with_user(self.collector)
        groups = report.with_context(credit_aging_date="2024-06-30")._read_group([], ["bucket_id"], ["residual:sum"])
        by_bucket = {bucket.name: self.currency.round(amount) for bucket, amount in groups}
        self.assertEqual(by_bucket["31-60"], 700.0)
        self.assertEqual(self.currency.round(sum(by_bucket.values())), 2400.0, "other company not visible")
        items = report.with_context(credit_aging_date="2024-06-30").search([("move_id", "=", self.inv1.id)])
        self.assertEqual(items.residual, 700.0, "drill-down item")

    def test_salesman_cannot_read_the_engine(self):
        with self.assertRaises(AccessError):
            self.engine.with_user(self.salesman).get_totals("partner_id", as_of=D)
        with self.assertRaises(AccessError):
            self.env["credit.aging.report"].with_user(self.salesman).search([])

    def test_wizard_exports(self):
        wizard = (
            self.env["credit.aging.wizard"]
            .with_user(self.collector)
            .create({"date": D, "bucket_set_id": self.days_set.id, "groupby": "partner_id"})
        )
        lines, _buckets, column_totals, total = wizard._summary()
        self.assertEqual(total, 2400.0)
        self.assertEqual(self.currency.round(sum(column_totals.values())), 2400.0)
        self.assertEqual(len(lines), 2)
        action = wizard.action_export_xlsx()
        # streamed by a read-only route (a read replica may serve it), nothing stored on the wizard
        self.assertTrue(action["url"].startswith("/credit_collection/aging/xlsx?"))
        content = self.env["credit.aging.xlsx"].with_user(self.collector)._generate(wizard)
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            summary = book.read("xl/worksheets/sheet1.xml").decode()
            detail = book.read("xl/worksheets/sheet2.xml").decode()
        self.assertIn("<f>SUM(", summary, "totals are formulas")
        self.assertIn('state="frozen"', summary, "frozen header")
        self.assertIn("<f>SUBTOTAL(9,", detail)
        self.assertIn('state="frozen"', detail)
        # the detail rows: one per open item at D, with its names and open amount
        rows = list(self.env["credit.aging.xlsx"].with_user(self.collector)._detail_rows(wizard))
        by_move = {r["move"]: r for r in rows}
        self.assertEqual(by_move[self.inv1.name]["residual"], 700.0)
        self.assertEqual(by_move[self.inv1.name]["partner"], self.customer.display_name)
        self.assertEqual(by_move[self.inv3.name]["currency"], "EUR")
        self.assertEqual(by_move[self.inv_beta.name]["bucket"], "91-120")
        self.assertEqual(self.currency.round(sum(r["residual"] for r in rows)), 2400.0)
        wizard.partner_ids = self.beta
        self.assertEqual(
            [r["move"] for r in self.env["credit.aging.xlsx"].with_user(self.collector)._detail_rows(wizard)],
            [self.inv_beta.name],
            "the wizard's filters apply to the detail",
        )
        wizard.partner_ids = False
        pdf_action = wizard.action_export_pdf()
        self.assertEqual(pdf_action["report_name"], "credit_collection.report_credit_aging")

    def test_xlsx_detail_read_in_batches(self):
        """The detail is read a batch at a time (a server-side cursor): the same rows in the same order
        whatever the batch size, and nothing is read before the export asks for it."""
        wizard = (
            self.env["credit.aging.wizard"]
            .with_user(self.collector)
            .create({"date": D, "bucket_set_id": self.days_set.id, "groupby": "partner_id"})
        )
        xlsx = self.env["credit.aging.xlsx"].with_user(self.collector)
        whole = list(xlsx._detail_rows(wizard, batch_size=10000))
        self.assertGreaterEqual(len(whole), 3)
        one_by_one = xlsx._detail_rows(wizard, batch_size=1)
        self.assertTrue(inspect.isgenerator(one_by_one), "rows are produced as they are read")
        self.assertEqual([(r["move"], r["residual"]) for r in one_by_one], [(r["move"], r["residual"]) for r in whole])
        self.assertEqual(self.currency.round(sum(r["residual"] for r in whole)), 2400.0)

    def test_xlsx_totals_carry_values_and_formats(self):
        """Total rows hold their computed values (a viewer that does not recalculate showed 0), amounts
        carry the currency's format, dates one format."""
        import openpyxl

        wizard = (
            self.env["credit.aging.wizard"]
            .with_user(self.collector)
            .create({"date": D, "bucket_set_id": self.days_set.id, "groupby": "partner_id"})
        )
        content = self.env["credit.aging.xlsx"].with_user(self.collector)._generate(wizard)
        values = openpyxl.load_workbook(io.BytesIO(content), data_only=True)  # the cached values
        formulas = openpyxl.load_workbook(io.BytesIO(content))
        summary, detail = values.worksheets
        total_row = next(r for r in range(1, summary.max_row + 1) if summary.cell(r, 1).value == "Total")
        last_col = summary.max_column
        self.assertTrue(str(formulas.worksheets[0].cell(total_row, last_col).value).startswith("=SUM("))
        self.assertEqual(summary.cell(total_row, last_col).value, 2400.0, "grand total cached")
        self.assertEqual(
            sum(summary.cell(total_row, c).value for c in range(2, last_col)), 2400.0, "bucket totals cached"
        )
        detail_total = next(r for r in range(1, detail.max_row + 1) if detail.cell(r, 1).value == "Total")
        self.assertEqual(detail.cell(detail_total, 12).value, 2400.0)
        symbol = self.currency.symbol
        self.assertIn(symbol, summary.cell(total_row, last_col).number_format, "currency format")
        self.assertIn(symbol, detail.cell(2, 12).number_format)
        self.assertEqual(summary.cell(1, 1).value, "Aging at 2024-06-30", "the title's date in the cells' format")
        self.assertEqual(detail.cell(2, 3).number_format, "yyyy-mm-dd")
        html = self.env["ir.actions.report"]._render_qweb_html("credit_collection.report_credit_aging", wizard.ids)[0]
        self.assertIn(b"2,400.00", html)
        view_action = wizard.action_open_pivot()
        self.assertEqual(view_action["context"]["credit_aging_date"], "2024-06-30")

    def test_bucket_set_validation(self):
        with self.assertRaises(ValidationError):
            self.env["credit.aging.bucket.set"].create(
                {
                    "name": "gap",
                    "bucket_ids": [
                        Command.create({"name": "a", "has_min": False, "max_value": 0}),
                        Command.create({"name": "b", "min_value": 2, "has_max": False}),
                    ],
                }
            )
        with self.assertRaises(ValidationError):
            self.env["credit.aging.bucket.set"].create(
                {
                    "name": "overlap",
                    "bucket_ids": [
                        Command.create({"name": "a", "has_min": False, "max_value": 30}),
                        Command.create({"name": "b", "min_value": 10, "has_max": False}),
                    ],
                }
            )
        with self.assertRaises(ValidationError):
            self._bucket("31-60").min_value = 32
        with self.assertRaises(ValidationError):
            self._bucket("31-60").provision_rate = 101
        ok = self.env["credit.aging.bucket.set"].create(
            {
                "name": "ok",
                "bucket_ids": [
                    Command.create({"name": "a", "has_min": False, "max_value": 0}),
                    Command.create({"name": "b", "min_value": 1, "has_max": False}),
                ],
            }
        )
        self.assertEqual(len(ok.bucket_ids), 2)
