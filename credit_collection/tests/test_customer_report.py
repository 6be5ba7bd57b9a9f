from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import CreditCommon

FIGURES = (
    "credit_limit",
    "exposure",
    "receivable",
    "draft_invoices",
    "open_orders",
    "available",
    "usage",
    "overdue_amount",
    "oldest_overdue_days",
    "late_amount",
)


@tagged("post_install", "-at_install")
class TestCustomerReport(CreditCommon):
    """The Customers' Credit list is one SQL statement over every customer of the company: its
    figures are the order check's exposure statement and the aging engine's overdue figures, so
    they sort, filter and total over the whole selection."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"credit_overdue_days": 30, "credit_overdue_min_amount": 100.0})
        cls.branch = cls.env["res.company"].create(
            {"name": "cct Acme Branch", "parent_id": cls.company.id, "country_id": cls.company.country_id.id}
        )
        cls.env.cr.precommit.run()  # the branch's journals (chart of accounts of the parent)
        cls.collector = new_test_user(
            cls.env,
            login="cct_report_collector",
            groups="credit_collection.group_credit_collector",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )
        cls.analyst = new_test_user(
            cls.env,
            login="cct_report_analyst",
            groups="credit_collection.group_credit_analyst",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )
        Partner = cls.env["res.partner"]
        # Acme (limit 10 000): 3 000 overdue 40 days, 500 by its contact overdue 5 days, a draft
        # invoice of 200, an order of 1 000 + 10 % tax not invoiced, 700 invoiced in the branch,
        # a 2 000 bank guarantee and a 1 500 temporary increase: limit 13 500, exposure 5 500
        cls._order(1000.0, confirm=True)
        cls._invoice(3000.0, due_date=cls.days_ago(40), invoice_date=cls.days_ago(70))
        cls._invoice(500.0, partner=cls.contact, due_date=cls.days_ago(5))
        cls._invoice(200.0, post=False)
        branch_move = (
            cls.env["account.move"]
            .with_company(cls.branch)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": cls.customer.id,
                    "company_id": cls.branch.id,
                    "invoice_date": cls.days_ago(0),
                    "invoice_line_ids": [Command.create({"name": "goods", "quantity": 1, "price_unit": 700.0})],
                }
            )
        )
        branch_move.action_post()
        cls.env["credit.guarantee"].create(
            {
                "name": "G-2000",
                "partner_id": cls.customer.id,
                "company_id": cls.company.id,
                "type_id": cls.env.ref("credit_collection.guarantee_type_bank").id,
                "amount": 2000.0,
                "date_from": cls.days_ago(10),
            }
        )
        cls.env["credit.limit.temporary"].create(
            {
                "partner_id": cls.customer.id,
                "company_id": cls.company.id,
                "amount": 1500.0,
                "reason": "season",
                "date_from": cls.days_ago(1),
                "date_to": cls.days_ago(-10),
            }
        )
        # Bolt (limit 1 000): 1 200 overdue 10 days -> over the limit, on hold
        cls.bolt = Partner.create({"name": "cct Bolt", "is_company": True, "credit_limit": 1000.0})
        cls._invoice(1200.0, partner=cls.bolt, due_date=cls.days_ago(10))
        cls.bolt.write({"credit_hold": True, "credit_hold_reason": "cheque bounced"})
        # Cedar (no limit): 800 overdue 95 days, 250 of it paid; a refund of 50
        cls.cedar = Partner.create({"name": "cct Cedar", "is_company": True})
        cedar_invoice = cls._invoice(800.0, partner=cls.cedar, due_date=cls.days_ago(95), invoice_date=cls.days_ago(95))
        cls._pay(cedar_invoice, 250.0)
        cls._invoice(50.0, partner=cls.cedar, move_type="out_refund", invoice_date=cls.days_ago(10))
        # Dune (limit 5 000): 4 700 not due -> 94 %, above the 90 % warning, not over; review due
        cls.dune = Partner.create({"name": "cct Dune", "is_company": True, "credit_limit": 5000.0})
        cls._invoice(4700.0, partner=cls.dune, due_date=cls.days_ago(-20))
        cls.dune.credit_next_review_date = cls.days_ago(1)
        cls.customers = cls.customer | cls.bolt | cls.cedar | cls.dune

    def _engine(self, partners):
        """What the order check and the customer form compute, per customer."""
        exposures = self.env["credit.exposure"]._get_exposures(partners, self.company)
        overdue = self.env["credit.aging.engine"]._overdue_figures(partners, self.company)
        result = {}
        for pid, exp in exposures.items():
            late = self.company._credit_late(exp)
            fig = overdue.get(pid) or {}
            result[pid] = {
                "credit_limit": exp.limit,
                "exposure": exp.total,
                "receivable": exp.receivable,
                "draft_invoices": exp.draft_invoices,
                "open_orders": exp.open_orders,
                "available": exp.available if exp.has_limit else 0.0,
                "usage": round(exp.total / exp.limit * 100, 1) if exp.has_limit else 0.0,  # nothing used of no limit
                "overdue_amount": self.currency.round(fig.get("overdue_amount") or 0.0),
                "oldest_overdue_days": fig.get("oldest_overdue_days") or 0,
                "late_amount": exp.late_amount
                if self.company.credit_overdue_days and not (exp.grade and exp.grade.own_tolerance)
                else 0.0,
                "over_limit": exp.has_limit and exp.total > exp.limit,
                "hold": exp.hold,
                "overdue_beyond_tolerance": bool(late),
            }
        return result

    def _report(self, domain=None, order=None):
        return self.env["credit.customer.report"].with_user(self.collector).search(domain or [], order=order)

    def test_figures_equal_the_engine(self):
        rows = self._report()
        self.assertLessEqual(set(self.customers.ids), set(rows.partner_id.ids))
        # read as a list does: several rows at once, as the least-privileged reader
        values = rows.read(["partner_id", *FIGURES, "over_limit", "hold", "overdue_beyond_tolerance"])
        engine = self._engine(rows.partner_id)
        self.assertEqual(len(values), len(engine), "one row per customer of the company")
        for row in values:
            expected = engine[row["partner_id"][0]]
            for name, value in expected.items():
                self.assertAlmostEqual(row[name], value, 2, f"{row['partner_id'][1]}: {name}")
        acme = engine[self.customer.id]
        # the figures by hand: pooled with the branch, guarantees and the temporary increase included
        self.assertEqual(
            (acme["credit_limit"], acme["exposure"], acme["receivable"], acme["draft_invoices"], acme["open_orders"]),
            (13500.0, 5500.0, 4200.0, 200.0, 1100.0),
        )
        by_partner = {row["partner_id"][0]: row for row in values}
        self.assertEqual(by_partner[self.customer.id]["available"], 8000.0)
        self.assertEqual(by_partner[self.customer.id]["overdue_amount"], 3500.0, "this company's overdue only")
        self.assertEqual(by_partner[self.customer.id]["late_amount"], 3000.0, "overdue beyond 30 days")
        self.assertEqual(by_partner[self.cedar.id]["overdue_amount"], 500.0, "800 - 250 paid - 50 refund")
        self.assertEqual(by_partner[self.cedar.id]["oldest_overdue_days"], 95)
        self.assertEqual(by_partner[self.dune.id]["usage"], 94.0)

    def test_sort_by_every_figure(self):
        for name in FIGURES:
            for direction in ("asc", "desc"):
                rows = self._report(order=f"{name} {direction}, id").read([name, "has_limit"])
                # a customer without a limit has no available credit figure (empty, read as 0): it
                # sorts as PostgreSQL sorts NULL, last ascending and first descending (unlimited)
                empty = [r for r in rows if name == "available" and not r["has_limit"]]
                filled = [r[name] for r in rows if r not in empty]
                expected = sorted(filled, reverse=direction == "desc")
                got = [r[name] for r in rows]
                if direction == "asc":
                    self.assertEqual(got, expected + [0.0] * len(empty), f"sorted by {name} {direction}")
                else:
                    self.assertEqual(got, [0.0] * len(empty) + expected, f"sorted by {name} {direction}")
        mine = [("partner_id", "in", self.customers.ids)]
        self.assertEqual(
            self._report(mine, order="exposure desc").partner_id.ids,
            [self.customer.id, self.dune.id, self.bolt.id, self.cedar.id],
            "5 500, 4 700, 1 200, 500",
        )
        self.assertEqual(
            self._report(mine, order="oldest_overdue_days desc").partner_id.ids,
            [self.cedar.id, self.customer.id, self.bolt.id, self.dune.id],
        )

    def test_filters(self):
        def partners(domain):
            return self._report([*domain, ("partner_id", "in", self.customers.ids)]).partner_id

        self.assertEqual(partners([("over_limit", "=", True)]), self.bolt)
        self.assertEqual(partners([("above_warning", "=", True)]), self.bolt | self.dune)
        self.assertEqual(partners([("hold", "=", True)]), self.bolt)
        self.assertEqual(partners([("overdue_beyond_tolerance", "=", True)]), self.customer | self.cedar)
        self.assertEqual(partners([("usage", ">", 90)]), self.bolt | self.dune)
        self.assertEqual(partners([("oldest_overdue_days", ">", 60)]), self.cedar)
        self.assertEqual(partners([("available", "<", 0)]), self.bolt)
        self.assertEqual(partners([("exposure", ">=", 4700)]), self.customer | self.dune)
        self.assertEqual(partners([("overdue_amount", ">", 1000)]), self.customer | self.bolt)
        self.assertEqual(partners([("receivable", ">", 4000)]), self.customer | self.dune)
        self.assertEqual(partners([("open_orders", ">", 0)]), self.customer)
        self.assertEqual(partners([("draft_invoices", ">", 0)]), self.customer)
        self.assertEqual(partners([("credit_limit", "=", 0)]), self.cedar)
        self.assertEqual(partners([("late_amount", ">", 0)]), self.customer | self.cedar)
        # the review is the analysts' (credit file readers) filter
        report = self.env["credit.customer.report"].with_user(self.analyst)
        self.assertEqual(
            report.search([("review_due", "=", True), ("partner_id", "in", self.customers.ids)]).partner_id, self.dune
        )

    def test_totals_over_the_whole_selection(self):
        report = self.env["credit.customer.report"].with_user(self.collector)
        engine = self._engine(self._report().partner_id)
        [total] = report.read_group([], ["exposure:sum", "overdue_amount:sum", "credit_limit:sum"], [])
        self.assertAlmostEqual(total["exposure"], sum(e["exposure"] for e in engine.values()), 2)
        self.assertAlmostEqual(total["overdue_amount"], sum(e["overdue_amount"] for e in engine.values()), 2)
        self.assertAlmostEqual(total["credit_limit"], sum(e["credit_limit"] for e in engine.values()), 2)
        # grouped by salesperson, filtered to the customers over 90 % of their limit
        groups = report.read_group(
            [("usage", ">", 90), ("partner_id", "in", self.customers.ids)], ["exposure:sum"], ["user_id"]
        )
        self.assertEqual(sum(g["exposure"] for g in groups), 5900.0, "Bolt 1 200 + Dune 4 700")
