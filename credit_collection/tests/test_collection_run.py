from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .collection_common import CollectionCommon, day


@tagged("post_install", "-at_install")
class TestCollectionRun(CollectionCommon):
    def _story(self):
        """Three customers, each with one invoice 65 days overdue (final notice: email, activity, fee)."""
        return {
            partner: self._due_invoice(1000.0, partner=partner)
            for partner in (self.customer, self.customer2, self.customer3)
        }

    def _effects(self, partner):
        fees = self.env["account.move"].search(
            [("partner_id", "=", partner.id), ("invoice_line_ids.product_id", "=", self.fee_product.id)]
        )
        return len(self._mails(partner)), len(partner.activity_ids), len(fees)

    def test_crash_mid_run_then_resume_without_duplicates(self):
        moves = self._story()
        # the first run "crashes" after its first batch of one customer (what committed stays)
        self._run(day(65), batch_size=1, max_batches=1)
        done = [partner for partner, move in moves.items() if move.collection_stage_id]
        self.assertEqual(len(done), 1, "one batch of one customer done before the crash")
        # the next run finishes the others and redoes nothing
        self._run(day(65), batch_size=1)
        for partner, move in moves.items():
            self.assertEqual(move.collection_stage_id, self.stages["Final notice"], partner.name)
            self.assertEqual(self._effects(partner), (1, 1, 1), f"{partner.name}: one email, activity, fee")
        self._run(day(65))
        self._run(day(66))
        for partner, move in moves.items():
            self.assertEqual(self._effects(partner), (1, 1, 1), f"{partner.name}: still one of each")
            self.assertEqual(len(self._history(move)), 1)

    def test_rerun_with_nothing_to_do_writes_nothing(self):
        self._story()
        self._run(day(65))
        with freeze_time(day(65)):
            plan = self.env["credit.collection.run"]._collection_plan(self.company, day(65))
        self.assertEqual(plan, {}, "nothing left to do on the same day")
        moves = self.env["account.move"].search([("collection_stage_id", "!=", False)])
        write_dates = moves.mapped("write_date")
        with freeze_time(day(89)):
            plan = self.env["credit.collection.run"]._collection_plan(self.company, day(89))
        self.assertEqual(plan, {}, "nothing to do until the next stage falls due (day 90)")
        self._run(day(89))
        self.assertEqual(moves.mapped("write_date"), write_dates, "no invoice written")

    def test_failing_customer_does_not_stop_the_others(self):
        # A transient failure (a template that cannot be rendered for this customer) rolls the
        # customer back and is retried the next day. (A missing email address used to be such a
        # failure: it is now a data problem handled by the stage's fallback, test_collection_channels.)
        moves = self._story()
        broken = self.env.ref("credit_collection.mail_template_collection_reminder").copy(
            {"subject": "{{ 1 // (object.ref != 'BROKEN') }} reminder"}
        )
        self.stages["Final notice"].mail_template_id = broken
        self.customer2.ref = "BROKEN"  # the reminder of this customer cannot be rendered
        with self.assertLogs("odoo.addons.credit_collection", "WARNING") as logs:
            self._run(day(65))
        self.assertIn("Failed to render", "\n".join(logs.output), "the run logs the failure and goes on")
        failed = moves[self.customer2]
        self.assertFalse(failed.collection_stage_id, "its stage is not applied (rolled back)")
        self.assertIn("Failed to render", failed.collection_error)
        self.assertFalse(self._history(failed))
        self.assertEqual(self._effects(self.customer2), (0, 0, 0), "no activity nor fee left behind")
        self.assertIn("Failed to render", failed.message_ids[0].body)
        for partner in (self.customer, self.customer3):
            self.assertEqual(moves[partner].collection_stage_id, self.stages["Final notice"], partner.name)
        # the collector sees it on the worklist
        row = (
            self.env["credit.collection.worklist"]
            .with_user(self.collector)
            .search([("partner_id", "=", self.customer2.id)])
        )
        self.assertEqual(row.failure_count, 1)
        # not retried in a loop the same day; retried the next day once fixed
        self._run(day(65))
        self.assertFalse(failed.collection_stage_id)
        self.customer2.ref = False
        self._run(day(66))
        self.assertEqual(failed.collection_stage_id, self.stages["Final notice"])
        self.assertFalse(failed.collection_error)
        self.assertEqual(self._effects(self.customer2), (1, 1, 1))

    def test_batch_compiles_each_template_once(self):
        """The stage's email body is compiled once for the batch (and its expressions checked once),
        not once per customer: the number of QWeb compilations does not grow with the customers,
        and each customer still gets its own invoices in its own email."""
        from odoo.addons.base.models.ir_qweb import IrQWeb

        def customers(tag, count):
            partners = self.env["res.partner"].create(
                [
                    {"name": f"Compile {tag} {i}", "is_company": True, "email": f"ap{tag}{i}@compile.example"}
                    for i in range(count)
                ]
            )
            return {partner: self._due_invoice(100.0 + i, partner=partner) for i, partner in enumerate(partners)}

        def compilations(invoices):
            calls = []
            generate = IrQWeb._generate_code

            def counting(qweb, template):
                calls.append(template)
                return generate(qweb, template)

            with patch.object(IrQWeb, "_generate_code", counting):
                self._run(day(16))
            for partner, invoice in invoices.items():
                mails = self._mails(partner)
                self.assertEqual(len(mails), 1, f"{partner.name}: one email")
                self.assertIn(invoice.name, mails.body_html, "its own invoice in its own email")
            return len(calls)

        compilations(customers("warm", 1))  # first use of the layouts and views
        self.assertEqual(compilations(customers("a", 2)), compilations(customers("b", 5)))

    def test_batch_queries_do_not_grow_with_customers(self):
        """Each stage is applied to the batch's customers at once (history rows, messages, emails
        and their notifications in one create each): a customer more costs at most two queries (one
        is Odoo's search of the thread's earlier messages for the email's References), where
        posting one by one cost 18."""

        def customers(tag, count):
            partners = self.env["res.partner"].create(
                [
                    {"name": f"Batch {tag} {i}", "is_company": True, "email": f"ap{tag}{i}@batch.example"}
                    for i in range(count)
                ]
            )
            for partner in partners:
                self._due_invoice(100.0, partner=partner)
            return partners

        def run_queries(partners):
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            self._run(day(16))
            queries = self.env.cr.sql_log_count - before
            for partner in partners:
                self.assertEqual(len(self._mails(partner)), 1, f"{partner.name}: one email")
            return queries

        run_queries(customers("warm", 1))  # first use of the templates, views and caches
        two = run_queries(customers("a", 2))
        six = run_queries(customers("b", 6))
        self.assertLessEqual(six - two, 4 * 2, f"2 customers: {two} queries, 6 customers: {six}")
