from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .collection_common import CollectionCommon, day
from .test_zh_documents import load_chinese


@tagged("post_install", "-at_install")
class TestPaymentPlan(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"payment_plan_approval_amount": 5000.0, "payment_plan_approval_instalments": 6})

    def _plan(self, moves, lines=None, user=None, **vals):
        """A plan proposed by `user` (the collector): `lines` = [(date, amount)], else generated."""
        values = {"partner_id": moves.commercial_partner_id.id, "move_ids": [Command.set(moves.ids)], **vals}
        if lines is not None:
            values["line_ids"] = [
                Command.create({"name": f"Instalment {index + 1}", "date": date, "amount": amount})
                for index, (date, amount) in enumerate(lines)
            ]
        return self.env["credit.payment.plan"].with_user(user or self.collector).create(values)

    def _amounts(self, plan):
        lines = plan.line_ids.sorted("date")
        return [(line.amount, line.paid_amount, line.residual) for line in lines]

    def test_generated_schedule_and_allocation_to_the_cent(self):
        inv1 = self._due_invoice(600.0)
        inv2 = self._due_invoice(400.50)
        with freeze_time(day(10)):
            plan = self._plan(
                inv1 | inv2, down_payment=100.0, down_payment_date=day(10), instalment_count=3, first_date=day(40)
            )
            self.assertEqual(plan.state, "draft")
            self.assertEqual(plan.covered_amount, 1000.50)
            self.assertEqual(
                [(line.date, line.amount) for line in plan.line_ids.sorted("date")],
                [(day(10), 100.0), (day(40), 300.17), (date(2026, 5, 11), 300.17), (date(2026, 6, 11), 300.16)],
                "down payment, then 900.50 in three: the last takes the cent left",
            )
            plan.with_user(self.collector).action_propose()
            self.assertEqual(plan.state, "active", "below both thresholds: runs at once")
            self._pay(inv1, 250.0)  # early: before the first instalment
        plans = plan | plan  # read as a list would
        self.assertEqual(
            self._amounts(plans.with_user(self.collector)),
            [(100.0, 100.0, 0.0), (300.17, 150.0, 150.17), (300.17, 0.0, 300.17), (300.16, 0.0, 300.16)],
        )
        with freeze_time(day(20)):
            self._pay(inv2, 400.50)
        plan.invalidate_recordset()
        plan.line_ids.invalidate_recordset()
        self.assertEqual(
            self._amounts(plan),
            [(100.0, 100.0, 0.0), (300.17, 300.17, 0.0), (300.17, 250.33, 49.84), (300.16, 0.0, 300.16)],
            "650.50 paid, oldest instalment first",
        )
        self.assertEqual(plan.amount_paid, 650.50)
        self.assertEqual(plan.amount_due, 350.0)
        self.assertEqual((plan.next_date, plan.next_amount), (date(2026, 5, 11), 49.84))

    def test_kept_late_and_paid_late_by_dates(self):
        move = self._due_invoice(1000.0)
        with freeze_time(day(10)):
            plan = self._plan(move, [(day(20), 500.0), (day(50), 500.0)], grace_days=3)
            plan.with_user(self.collector).action_propose()
        with freeze_time(day(19)):
            self._pay(move, 500.0)
        self._run(day(19))
        first, second = plan.line_ids.sorted("date")
        self.assertEqual((first.state, first.paid_date), ("kept", day(19)))
        self.assertEqual(second.state, "pending")
        self._run(day(52))
        self.assertEqual(second.state, "late", "unpaid 2 days after its date, within 3 grace days")
        self.assertEqual(plan.state, "active")
        with freeze_time(day(53)):
            self._pay(move, 500.0)
        self._run(day(53))
        self.assertEqual((second.state, second.paid_date), ("paid_late", day(53)))
        self.assertEqual(plan.state, "kept")
        self.assertEqual(self.customer.collection_broken_promise_count, 0)

    def test_chase_paused_then_resumed(self):
        move = self._due_invoice(1000.0)
        self._run(day(1))
        self.assertEqual(move.collection_stage_id, self.stages["Reminder"])
        with freeze_time(day(2)):
            plan = self._plan(move, [(day(10), 500.0), (day(40), 500.0)], grace_days=3)
            plan.with_user(self.collector).action_propose()
        self.assertEqual(move.collection_next_date, day(44), "waits until the last instalment + grace days")
        with freeze_time(day(9)):
            self._pay(move, 500.0)
        self._run(day(16))
        self.assertEqual(move.collection_stage_id, self.stages["Reminder"], "paused: no second notice at +15")
        with freeze_time(day(17)):
            plan.with_user(self.collector).action_cancel()
        self.assertEqual(move.collection_next_date, day(17), "the chase resumes: second notice due today")
        self._run(day(17))
        self.assertEqual(move.collection_stage_id, self.stages["Second notice"])

    def test_broken_plan_escalates_counts_and_notifies(self):
        self.company.payment_plan_broken_hold = True
        move = self._due_invoice(1000.0)
        self._run(day(1))
        with freeze_time(day(2)):
            plan = self._plan(move, [(day(5), 500.0), (day(40), 500.0)], grace_days=3)
            plan.with_user(self.collector).action_propose()
            self._pay(move, 200.0)
        self._run(day(8))
        self.assertEqual(plan.state, "active", "day 8 is the last grace day")
        self.assertEqual(plan.line_ids.sorted("date")[0].state, "late")
        self._run(day(9))
        self.assertEqual(plan.state, "broken", "200.00 of 500.00 paid after the grace days")
        self.assertEqual(plan.broken_date, day(9))
        self.assertEqual(self.customer.collection_broken_promise_count, 1)
        self.assertEqual(move.collection_stage_id, self.stages["Second notice"], "escalates at once, before +15")
        self.assertEqual(self._history(move)[-1].trigger, "broken_plan")
        self.assertTrue(plan.escalated)
        self.assertTrue(self.customer.credit_hold, "the company puts broken plans on hold")
        activity = plan.activity_ids.filtered(lambda a: a.user_id == self.collector)
        self.assertEqual(len(activity), 1, "the collector is told")
        self._run(day(10))
        self.assertEqual(len(self._history(move)), 2, "escalated once")
        self.assertEqual(self.customer.collection_broken_promise_count, 1, "counted once")
        worklist = (
            self.env["credit.collection.worklist"]
            .with_user(self.collector)
            .search([("partner_id", "=", self.customer.id)])
        )
        self.assertEqual(worklist.broken_promise_count, 1, "the scorecard's broken-promise figure")

    def test_approval_thresholds_and_segregation(self):
        move = self._due_invoice(6000.0)
        small = self._due_invoice(300.0, partner=self.customer2)
        with freeze_time(day(10)):
            plan = self._plan(move, instalment_count=3, first_date=day(20))
            self.assertTrue(plan.approval_required, "6,000.00 above the 5,000.00 threshold")
            plan.with_user(self.collector).action_propose()
            self.assertEqual(plan.state, "to_approve")
            with self.assertRefused(AccessError, "Only credit managers"):
                plan.with_user(self.collector).action_approve()
            plan.with_user(self.manager).action_approve()
            self.assertEqual(plan.state, "active")
            self.assertEqual(plan.approved_by_id, self.manager)
            self.assertTrue(plan.approved_date)
            # more instalments than allowed, proposed by a manager: another one approves
            self.company.payment_plan_approval_instalments = 2
            own = self._plan(small, instalment_count=3, first_date=day(20), user=self.manager)
            own.with_user(self.manager).action_propose()
            self.assertEqual(own.state, "to_approve", "3 instalments above 2")
            with self.assertRefused(AccessError, "another credit manager"):
                own.with_user(self.manager).action_approve()
            own.with_user(self.manager2).action_approve()
            self.assertEqual(own.approved_by_id, self.manager2)
            with self.assertRefused(AccessError, "buttons and the daily collection run"):
                own.with_user(self.collector).write({"state": "cancel"})
            with self.assertRefused(UserError, "cannot change"):
                own.with_user(self.collector).write({"fee_amount": 10.0})

    def test_bad_input_refused_nothing_saved(self):
        move = self._due_invoice(1000.0)
        other = self._due_invoice(200.0)
        Plan = self.env["credit.payment.plan"]
        with freeze_time(day(10)):
            with self.assertRefused(UserError, "999.99 but the plan must collect"):
                self._plan(move, [(day(20), 500.0), (day(30), 499.99)])
            with self.assertRefused(UserError, "in the past"):
                self._plan(move, [(day(9), 500.0), (day(30), 500.0)])
            with self.assertRefused(UserError, "must be positive"):
                self._plan(move, [(day(20), 1000.0), (day(30), 0.0)])
            with self.assertRefused(UserError, "must be positive"):
                self._plan(move, [(day(20), 1100.0), (day(30), -100.0)])
            self.assertFalse(Plan.search([]), "nothing saved")
            self.assertFalse(self.env["credit.payment.plan.line"].search([]), "no instalment either")
            first = self._plan(move, [(day(20), 1000.0)])
            with self.assertRefused(UserError, "already on plan"):
                self._plan(move | other, [(day(20), 1200.0)])
            with self.assertRefused(UserError, "1,100.00 but the plan must collect"):
                first.with_user(self.collector).write(
                    {"line_ids": [Command.create({"name": "x", "date": day(25), "amount": 100.0})]}
                )
            self.assertEqual(Plan.search([]), first)
            self.assertEqual(first.line_ids.mapped("amount"), [1000.0], "the refused write changed nothing")
            with self.assertRefused(AccessError, "Only collectors"):
                self._plan(other, [(day(20), 200.0)], user=self.salesman)

    def test_forecast_uses_the_instalments(self):
        move = self._due_invoice(1000.0)
        with freeze_time(day(10)):
            plan = self._plan(move, [(day(20), 400.0), (day(50), 600.0)])
            plan.with_user(self.collector).action_propose()
            self._pay(move, 100.0)
            rows = (
                self.env["credit.cashin.forecast"]
                .with_user(self.collector)
                .search([("partner_id", "=", self.customer.id)])
            )
            self.assertEqual(
                sorted((r.source, r.forecast_date, r.residual) for r in rows),
                [("payment_plan", day(20), 300.0), ("payment_plan", day(50), 600.0)],
                "the instalments instead of the invoice's predicted date, not both",
            )
            plan.with_user(self.collector).action_cancel()
            rows = (
                self.env["credit.cashin.forecast"]
                .with_user(self.collector)
                .search([("partner_id", "=", self.customer.id)])
            )
            self.assertEqual([(r.source, r.residual) for r in rows], [("invoice", 900.0)])

    def test_worklist_shows_the_plan_and_prints_the_agreement(self):
        move = self._due_invoice(1000.0)
        with freeze_time(day(10)):
            row = (
                self.env["credit.collection.worklist"]
                .with_user(self.collector)
                .search([("partner_id", "=", self.customer.id)])
            )
            action = row.action_payment_plan()
            self.assertEqual(action["context"]["default_move_ids"], [Command.set(move.ids)])
            plan = self._plan(move, [(day(20), 400.0), (day(50), 600.0)])
            plan.with_user(self.collector).action_propose()
            self.env.invalidate_all()
            row = (
                self.env["credit.collection.worklist"]
                .with_user(self.collector)
                .search([("partner_id", "=", self.customer.id)])
            )
            self.assertTrue(row.on_plan)
            self.assertEqual(row.payment_plan_id, plan)
            self.assertIn("400.00", row.next_instalment)
            self.customer.lang = "en_US"
            html = (
                self.env["ir.actions.report"]
                .with_user(self.collector)
                ._render_qweb_html("credit_collection.report_payment_plan", plan.ids)[0]
                .decode()
            )
            self.assertIn(move.name, html)
            self.assertIn("Payment plan agreement", html)

    def test_form_generates_the_schedule(self):
        move = self._due_invoice(1000.0)
        with freeze_time(day(10)):
            row = (
                self.env["credit.collection.worklist"]
                .with_user(self.collector)
                .search([("partner_id", "=", self.customer.id)])
            )
            action = row.action_payment_plan()
            form = Form(self.env["credit.payment.plan"].with_user(self.collector).with_context(**action["context"]))
            form.instalment_count = 4
            self.assertEqual(len(form.line_ids), 4)
            plan = form.save()
        self.assertEqual(plan.move_ids, move)
        self.assertEqual(plan.line_ids.mapped("amount"), [250.0, 250.0, 250.0, 250.0])


@tagged("post_install", "-at_install")
class TestPaymentPlanAgreementChinese(CollectionCommon):
    def test_agreement_in_the_customers_language(self):
        load_chinese(self.env)
        self.customer.lang = "zh_CN"
        move = self._due_invoice(1000.0)
        with freeze_time(day(10)):
            plan = (
                self.env["credit.payment.plan"]
                .with_user(self.collector)
                .create(
                    {
                        "partner_id": self.customer.id,
                        "move_ids": [Command.set(move.ids)],
                        "down_payment": 100.0,
                        "down_payment_date": day(10),
                        "instalment_count": 2,
                        "first_date": day(40),
                    }
                )
            )
            plan.with_user(self.collector).action_propose()
        page = (
            self.env["ir.actions.report"]
            .with_user(self.collector)
            ._render_qweb_html("credit_collection.report_payment_plan", plan.ids)[0]
            .decode()
        )
        # rendered in the customer's language (its words come with the regenerated template; the
        # dates and amounts follow the language already)
        self.assertIn('data-oe-lang="zh_CN"', page)
        self.assertIn("2026年04月11日", page, "the first instalment, dated the Chinese way")
        self.assertIn("450.00", page, "900.00 in two instalments")
        self.customer.lang = "en_US"
        page = (
            self.env["ir.actions.report"]
            .with_user(self.collector)
            ._render_qweb_html("credit_collection.report_payment_plan", plan.ids)[0]
            .decode()
        )
        self.assertIn('data-oe-lang="en_US"', page)
        self.assertIn("04/11/2026", page)
