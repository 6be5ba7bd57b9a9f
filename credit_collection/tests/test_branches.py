from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged
from odoo.tools.misc import formatLang

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestBranches(CreditCommon):
    """Odoo 18 branches: core pools a customer's receivables of a company's branches under the root
    company (res.partner.credit). The credit check pools the exposure the same way, against the
    customer's limit in the root company; a separate company keeps its own exposure."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.branch = cls.env["res.company"].create(
            {"name": "Acme Group Branch", "parent_id": cls.company.id, "country_id": cls.company.country_id.id}
        )
        cls.env.cr.precommit.run()  # the branch's journals (chart of accounts of the parent)
        cls.branch.account_use_credit_limit = True
        cls.other = cls.setup_other_company(name="cct Separate Co")["company"]
        cls.other.account_use_credit_limit = True
        # the limit as core reads it in the root company; the separate company has its own
        cls.customer.credit_limit = 1000.0
        cls.customer.with_company(cls.other).credit_limit = 1000.0
        cls.branch_salesman = new_test_user(
            cls.env,
            login="cct_branch_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=cls.branch.id,
            company_ids=cls.branch.ids,
        )
        cls.branch_billing = new_test_user(
            cls.env,
            login="cct_branch_billing",
            groups="account.group_account_invoice",
            company_id=cls.branch.id,
            company_ids=cls.branch.ids,
        )
        cls.other_salesman = new_test_user(
            cls.env,
            login="cct_other_salesman",
            groups="sales_team.group_sale_salesman",
            company_id=cls.other.id,
            company_ids=cls.other.ids,
        )

    # ------------------------------------------------------------------ helpers
    def _invoice_in(self, company, amount, post=True, due_date=None):
        move = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "company_id": company.id,
                    "invoice_date": self.days_ago(0),
                    "invoice_date_due": due_date or self.days_ago(0),
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create({"name": "goods", "quantity": 1, "price_unit": amount, "tax_ids": []})
                    ],
                }
            )
        )
        self.assertEqual(move.company_id, company)
        if post:
            move.action_post()
        return move

    def _order_in(self, company, user, amount, confirm=False):
        order = (
            self.env["sale.order"]
            .with_user(user)
            .with_company(company)
            .create(
                {
                    "partner_id": self.customer.id,
                    "company_id": company.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product_notax.id,
                                "product_uom_qty": 1,
                                "price_unit": amount,
                                "tax_id": [Command.clear()],  # a new company gives products its default tax
                            }
                        )
                    ],
                }
            )
        )
        if confirm:
            order.action_confirm()
        return order

    def fmt(self, amount):
        return formatLang(self.env, amount, currency_obj=self.currency)

    def figures(self, company):
        exp = self._position(company=company)
        return exp.receivable, exp.draft_invoices, exp.open_orders, exp.limit

    # ------------------------------------------------------------------ tests
    def test_branch_documents_count_in_parent(self):
        self._invoice_in(self.branch, 300.0)
        self._invoice_in(self.branch, 100.0, post=False)
        self._order_in(self.branch, self.branch_salesman, 200.0, confirm=True)
        for company in (self.company, self.branch):
            self.assertEqual(self.figures(company), (300.0, 100.0, 200.0, 1000.0), f"pooled in {company.name}")
        self.assertEqual(self.figures(self.other), (0.0, 0.0, 0.0, 1000.0), "a separate company is not pooled")
        # the parent's order sees the branch's 600.00: 400.00 fits exactly, 400.01 does not
        with self.assertRaises(UserError) as refused:
            self._order_in(self.company, self.salesman, 400.01, confirm=True)
        self.assertIn(
            f"limit {self.fmt(1000.0)}; exposure {self.fmt(600.0)} (open receivables {self.fmt(300.0)}, "
            f"draft invoices {self.fmt(100.0)}, orders not invoiced {self.fmt(200.0)}); "
            f"this order {self.fmt(400.01)}; excess {self.fmt(0.01)}.",
            str(refused.exception),
        )
        order = self._order_in(self.company, self.salesman, 400.0, confirm=True)
        self.assertEqual(order.state, "sale")

    def test_parent_documents_count_in_branch(self):
        self._invoice_in(self.company, 700.0)
        self._order_in(self.company, self.salesman, 150.0, confirm=True)
        with self.assertRaises(UserError) as refused:
            self._order_in(self.branch, self.branch_salesman, 200.0, confirm=True)
        self.assertIn(
            f"limit {self.fmt(1000.0)}; exposure {self.fmt(850.0)} (open receivables {self.fmt(700.0)}, "
            f"draft invoices {self.fmt(0.0)}, orders not invoiced {self.fmt(150.0)}); "
            f"this order {self.fmt(200.0)}; excess {self.fmt(50.0)}.",
            str(refused.exception),
        )
        order = self._order_in(self.branch, self.branch_salesman, 150.0, confirm=True)
        self.assertEqual(order.state, "sale")
        # both confirmations of the branch and of the parent wrote the root's lock row
        locks = self.env["credit.partner.lock"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(locks.company_id, self.company, "one lock row per customer and root company")

    def test_limit_is_the_roots(self):
        # a limit typed in the branch (its own company-dependent value) is not the pool's limit
        self.customer.with_company(self.branch).credit_limit = 5000.0
        self._invoice_in(self.branch, 900.0)
        with self.assertRaises(UserError) as refused:
            self._order_in(self.branch, self.branch_salesman, 200.0, confirm=True)
        self.assertIn(f"limit {self.fmt(1000.0)}; exposure {self.fmt(900.0)}", str(refused.exception))

    def test_separate_company_not_pooled(self):
        self._invoice_in(self.company, 900.0)
        self._invoice_in(self.branch, 100.0)
        # the separate company's exposure is its own: nothing of the group counts there
        order = self._order_in(self.other, self.other_salesman, 1000.0, confirm=True)
        self.assertEqual(order.state, "sale")
        self.assertEqual(self.figures(self.other), (0.0, 0.0, 1000.0, 1000.0))
        # and its order does not count in the group
        self.assertEqual(self.figures(self.company), (1000.0, 0.0, 0.0, 1000.0))

    def test_hold_and_overdue_pooled(self):
        self.customer.with_company(self.branch).write({"credit_hold": True, "credit_hold_reason": "cheque bounced"})
        with self.assertRaises(UserError) as refused:
            self._order_in(self.company, self.salesman, 10.0, confirm=True)
        self.assertIn("Customer on credit hold: Acme Group Branch: cheque bounced.", str(refused.exception))
        self.customer.with_company(self.branch).credit_hold = False
        # 30 days late in the branch, with a 10-day tolerance in the parent: refused in the parent
        self.company.credit_overdue_days = 10
        self._invoice_in(self.branch, 50.0, due_date=self.days_ago(30))
        with self.assertRaises(UserError) as refused:
            self._order_in(self.company, self.salesman, 10.0, confirm=True)
        self.assertIn(self.fmt(50.0), str(refused.exception))
        self.assertIn("overdue", str(refused.exception).lower())

    def test_customer_form_shows_pooled_figures(self):
        self._invoice_in(self.company, 300.0)
        self._invoice_in(self.branch, 200.0)
        self._order_in(self.branch, self.branch_salesman, 100.0, confirm=True)
        for user, company in ((self.branch_billing, self.branch), (self.env.user, self.company)):
            partners = (self.customer | self.contact).with_user(user).with_company(company)
            self.assertEqual(
                [
                    (p.credit_limit_effective, p.credit_exposure, p.credit_exposure_receivable, p.credit_available)
                    for p in partners
                ],
                [(1000.0, 600.0, 500.0, 400.0)] * 2,
                f"pooled figures on the customer form in {company.name}",
            )
        # what a branch salesman sees: the available credit, pooled
        partners = (self.customer | self.contact).with_user(self.branch_salesman).with_company(self.branch)
        self.assertEqual(partners.mapped("credit_available"), [400.0, 400.0])
        # the separate company shows its own figures
        other = self.customer.with_company(self.other)
        self.assertEqual((other.credit_exposure, other.credit_available), (0.0, 1000.0))
