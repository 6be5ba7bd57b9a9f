from contextlib import contextmanager

from odoo.tests import Form, new_test_user, tagged

from .common import CreditCommon


@tagged("post_install", "-at_install")
class TestPartnerFormLoad(CreditCommon):
    """Opening a customer costs one exposure statement for those who see its Credit Control tab,
    and none for the others."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._invoice(1000.0, due_date=cls.days_ago(20))
        cls._order(500.0, confirm=True)
        company = {"company_id": cls.company.id, "company_ids": cls.company.ids}
        cls.analyst = new_test_user(
            cls.env, login="cct_form_analyst", groups="credit_collection.group_credit_analyst", **company
        )
        cls.collector = new_test_user(
            cls.env, login="cct_form_collector", groups="credit_collection.group_credit_collector", **company
        )
        # an employee who looks up contacts, with no sales, accounting or credit role
        cls.employee = new_test_user(cls.env, login="cct_form_employee", groups="base.group_user", **company)

    def _form_statements(self, user):
        self.env.flush_all()
        self.env.invalidate_all()
        queries = []
        with contextmanager(self._patchExecute)(queries):
            Form(self.customer.with_user(user))
        return sum("receivable_by_partner" in str(q) for q in queries)

    def test_one_statement_per_form(self):
        for user in (self.analyst, self.collector, self.salesman, self.manager):
            self.assertEqual(self._form_statements(user), 1, f"{user.login}: one exposure statement per form read")
        # the figures still read right from that one statement
        partner = self.customer.with_user(self.analyst)
        self.assertEqual((partner.credit_exposure, partner.credit_base_limit), (1550.0, 10000.0))

    def test_no_statement_without_the_credit_tab(self):
        self.assertEqual(self._form_statements(self.employee), 0, "the credit tab is not shown: nothing computed")
