"""Read replicas without a second cluster.

With ``db_replica_host`` set, Odoo serves an RPC call on the replica when the method carries
``@api.readonly`` (web's ``DataSet._call_kw_readonly`` walks the model's classes), and an HTTP route
when it says ``readonly=True``. A replica is a hot standby: any write there fails with
``ReadOnlySqlTransaction``. Odoo's test cursor opened read-only does exactly that to the test's
transaction (``SET TRANSACTION READ ONLY`` in a savepoint, odoo/sql_db.py ``TestCursor``), which is
what these tests run the flagged methods on, as the least-privileged user who reads each report.
"""

import io
import json
import zipfile
from contextlib import contextmanager
from datetime import date

import psycopg2.errors
from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .aging_common import D
from .collection_common import CollectionCommon, day
from .test_provision import ProvisionCommon

# RPC entry points served by a replica when there is one: (model, method)
ON_REPLICA = {
    ("credit.aging.engine", "get_items"),
    ("credit.aging.engine", "get_totals"),
    ("credit.aging.engine", "get_summary"),
    ("credit.aging.engine", "get_ledger_balance"),
    ("credit.kpi", "compute"),
    ("credit.overview", "web_read"),
    ("credit.overview", "action_aging_graph"),
    ("credit.aging.report", "action_open_item"),
    ("credit.collection.worklist", "action_open_invoices"),
}
# the report views' reads: Odoo's own read methods are read-only, the addon keeps them so
ON_REPLICA_BY_CORE = {
    (model, method)
    for model in ("credit.aging.report", "credit.cashin.forecast", "credit.overview")
    for method in ("web_search_read", "web_read_group", "read_group", "search_read")
}
# everything that writes, and the reads that follow a write of the same user (replication lag)
ON_PRIMARY = {
    # order check and its lock, approvals
    ("sale.order", "action_confirm"),
    ("sale.order", "request_credit_approval"),
    ("sale.order", "action_request_credit_approval"),
    ("credit.approval", "action_approve"),
    ("credit.approval", "action_reject"),
    ("credit.approval.request", "action_request"),
    ("credit.approval.decision", "action_decide"),
    # daily runs
    ("credit.collection.run", "_cron_collection_run"),
    ("credit.warning", "_cron_credit_warnings"),
    ("credit.guarantee", "_cron_expiry_activities"),
    # postings, write-offs, collection actions
    ("credit.provision.run", "action_compute"),
    ("credit.provision.run", "action_post"),
    ("credit.provision.run", "action_cancel"),
    ("credit.collection.writeoff", "action_write_off"),
    ("account.move", "action_collection_dispute"),
    ("account.move", "action_collection_reverse_writeoff"),
    ("credit.collection.promise", "action_cancel"),
    ("credit.collection.call.wizard", "action_confirm"),
    ("credit.collection.dispute.wizard", "action_confirm"),
    ("credit.review", "action_compute"),
    ("credit.review", "action_approve"),
    ("credit.kpi.wizard", "action_open"),
    ("credit.overview", "action_open"),
    ("credit.statement.wizard", "action_send"),
    # lag-sensitive reads (docs/reports.md, "Read replica")
    ("credit.collection.worklist", "web_search_read"),
    ("credit.collection.worklist", "web_read_group"),
    ("credit.collection.worklist", "read_group"),
    ("credit.collection.worklist", "web_read"),
    ("credit.kpi.line", "web_search_read"),
    ("credit.kpi.line", "web_read_group"),
    ("credit.kpi.line", "read_group"),
    ("credit.provision.run", "web_read"),
    ("credit.provision.run", "action_export_xlsx"),
    ("credit.statement.wizard", "action_print"),
    ("credit.aging.wizard", "action_open_pivot"),
    ("credit.aging.wizard", "action_open_graph"),
    ("credit.aging.wizard", "action_export_xlsx"),
}


def served_by_replica(model, method):
    """What web's DataSet._call_kw_readonly (addons/web/controllers/dataset.py) decides for an RPC
    call: the first ``_readonly`` found along the model's classes."""
    for cls in type(model).mro():
        func = getattr(cls, method, None)
        if func is not None and hasattr(func, "_readonly"):
            return func._readonly
    return False


class ReplicaMixin:
    def setUp(self):
        super().setUp()
        # one cursor serves every "request", as in HttpCase: a read-only one runs on this transaction
        self.registry.enter_test_mode(self.env.cr)
        self.addCleanup(self.registry.leave_test_mode)

    @contextmanager
    def replica(self, user):
        """An environment of `user` on a read-only transaction, as a replica gives one."""
        self.env.cr.flush()  # what the primary has: pending writes and their precommit hooks
        with self.registry.cursor(readonly=True) as cr:
            self.assertTrue(cr.readonly)
            # the read-only savepoint first, so that an assertRaises' savepoint nests inside it
            cr.execute("SHOW transaction_read_only")
            self.assertEqual(cr.fetchone()[0], "on")
            yield self.env(cr=cr, user=user)

    @contextmanager
    def assertRefusedOnReplica(self):
        # the refused statement is logged by odoo.sql_db as a bad query: expected here
        with self.assertRaises(psycopg2.errors.ReadOnlySqlTransaction), mute_logger("odoo.sql_db"):
            yield


@tagged("post_install", "-at_install")
class TestReplicaFlags(ProvisionCommon):
    def test_flags(self):
        for name, method in sorted(ON_REPLICA | ON_REPLICA_BY_CORE):
            self.assertIs(served_by_replica(self.env[name], method), True, f"{name}.{method} runs on a replica")
        for name, method in sorted(ON_PRIMARY):
            self.assertTrue(hasattr(self.env[name], method), f"{name}.{method} exists")
            self.assertFalse(served_by_replica(self.env[name], method), f"{name}.{method} stays on the primary")

    def test_no_other_method_flagged(self):
        """A method of the addon flagged read-only and not listed here is a decision nobody wrote down."""
        flagged = set()
        for name in self.env.registry:
            for cls in type(self.env[name]).mro():
                if not cls.__module__.startswith("odoo.addons.credit_collection."):
                    continue
                for attr, value in vars(cls).items():
                    if getattr(value, "_readonly", False):
                        flagged.add((name, attr))
        self.assertEqual(flagged - ON_REPLICA - ON_REPLICA_BY_CORE, set())


@tagged("post_install", "-at_install")
class TestReplicaReads(ReplicaMixin, ProvisionCommon):
    """The reports read on a read-only transaction exactly what they read on the primary."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._inv(1000.0, date(2024, 5, 1), date(2024, 5, 31))
        cls._inv(250.55, date(2024, 6, 10), date(2024, 7, 10), partner=cls.beta)
        cls._payment(100.0, date(2024, 6, 20))
        cls.accountant = new_test_user(
            cls.env,
            login="cct_replica_accountant",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=cls.company.ids,
        )

    def test_engine_and_kpis(self):
        engine = self.engine.with_user(self.collector)
        summary = engine.get_summary(as_of=D)
        totals = engine.get_totals("partner_id", as_of=D)
        kpis = self.env["credit.kpi"].with_user(self.accountant).compute(self.company, D, months=2)
        with self.replica(self.collector) as env:
            ro = env["credit.aging.engine"]
            self.assertEqual(ro.get_summary(as_of=D), summary)
            self.assertEqual(ro.get_totals("partner_id", as_of=D), totals)
            self.assertEqual(sum(i["residual"] for i in ro.get_items(as_of=D)), 1150.55)
            self.assertEqual(ro.get_ledger_balance(as_of=D), 1150.55)
        with self.replica(self.accountant) as env:
            self.assertEqual(env["credit.kpi"].compute(env.company, D, months=2), kpis)
        self.assertEqual(round(summary["total"], 2), 1150.55)

    def test_report_views(self):
        ctx = {"credit_aging_date": fields.Date.to_string(D)}
        with self.replica(self.collector) as env:
            aging = env["credit.aging.report"].with_context(**ctx)
            groups = aging.read_group([], ["residual:sum"], ["partner_id"])
            self.assertEqual(
                {g["partner_id"][1]: round(g["residual"], 2) for g in groups},
                {"Acme Trading": 900.0, "Beta Ltd": 250.55},
            )
            rows = aging.web_search_read([], {"residual": {}, "bucket_id": {"fields": {"display_name": {}}}})
            self.assertEqual(rows["length"], 3)
            self.assertEqual(aging.browse(rows["records"][0]["id"]).action_open_item()["res_model"], "account.move")
            forecast = env["credit.cashin.forecast"]
            groups = forecast.read_group([], ["residual:sum"], ["partner_id"])
            self.assertEqual(round(sum(g["residual"] for g in groups), 2), 1150.55, "today: everything still open")
            forecast.web_search_read([], {"expected_date": {}, "days_late": {}, "residual": {}})

    def test_overview(self):
        overview = self.env["credit.overview"].with_user(self.collector).create({})
        spec = {name: {} for name in ("total_ar", "overdue_ar", "dso", "cei", "allowance", "bad_debt_ratio")}
        expected = overview.web_read(spec)
        self.env.invalidate_all()
        with self.replica(self.collector) as env:
            self.assertEqual(env["credit.overview"].browse(overview.id).web_read(spec), expected)
            self.assertEqual(expected[0]["total_ar"], 1150.55)
            # a record created on the primary a moment ago and not replayed yet: the request layer
            # is asked to run the call again on the primary, as for a write on a replica
            with self.assertRaises(psycopg2.errors.ReadOnlySqlTransaction):
                env["credit.overview"].browse(overview.id + 1000).web_read(spec)

    def test_worklist_navigation(self):
        with self.replica(self.collector) as env:
            row = env["credit.collection.worklist"].search([("partner_id", "=", self.customer.id)])
            action = row.action_open_invoices()
            self.assertEqual(len(env["account.move"].search(action["domain"])), 1)

    def test_provision_export(self):
        run = self._run(D)
        run.action_compute()
        content = self.env["credit.provision.xlsx"].with_user(self.analyst)._generate(run)
        with self.replica(self.analyst) as env:
            ro_run = env["credit.provision.run"].browse(run.id)
            self.assertEqual(env["credit.provision.xlsx"]._file(ro_run)[0][:2], b"PK")
            self.assertEqual(len(env["credit.provision.xlsx"]._generate(ro_run)), len(content))


@tagged("post_install", "-at_install")
class TestReplicaRefusesWrites(ReplicaMixin, CollectionCommon):
    """What writes fails on a replica, so it must never be flagged read-only."""

    def test_order_check_and_its_lock(self):
        order = self._order(100.0, user=self.salesman)
        with self.replica(self.salesman) as env, self.assertRefusedOnReplica():
            env["sale.order"].browse(order.id).action_confirm()
            env.flush_all()
        order.with_user(self.salesman).action_confirm()
        self.assertEqual(order.state, "sale", "the same call passes on the primary")

    def test_collection_run(self):
        move = self._due_invoice(1000.0)
        with freeze_time(day(65)):
            with self.replica(self.env.user) as env, self.assertRefusedOnReplica():
                env["credit.collection.run"]._cron_collection_run()
                env.flush_all()
        self.assertFalse(move.collection_stage_id)
        self._run(day(65))
        self.assertTrue(move.collection_stage_id, "the same run passes on the primary")

    def test_write_inside_a_read_only_call(self):
        with self.replica(self.collector) as env, self.assertRefusedOnReplica():
            env["credit.aging.engine"].get_summary()
            env["res.partner"].browse(self.customer.id).sudo().write({"comment": "noted"})
            env.flush_all()


@tagged("post_install", "-at_install")
class TestReplicaRoutes(ProvisionCommon, HttpCase):
    """Through Odoo's HTTP layer (test mode opens read-only cursors for read-only requests)."""

    def _call_kw(self, model, method, args, kwargs=None):
        response = self.url_open(
            "/web/dataset/call_kw",
            data=json.dumps({"params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.json()

    def test_engine_over_rpc_stays_on_the_read_only_cursor(self):
        self._inv(1000.0, date(2024, 5, 1), date(2024, 5, 31))
        self.authenticate("cct_aging_collector", "cct_aging_collector")
        # a write on the read-only cursor would be logged by odoo.http and retried on the primary
        with self.assertNoLogs("odoo.http", "WARNING"):
            result = self._call_kw("credit.aging.engine", "get_summary", [], {"as_of": "2024-06-30"})
        self.assertEqual(result["result"]["total"], 1000.0)

    def test_provision_xlsx_falls_back_to_the_primary_when_the_replica_lags(self):
        run = self._run(D)
        run.action_compute()
        self.authenticate("cct_prov_analyst", "cct_prov_analyst")
        url = run.with_user(self.analyst).action_export_xlsx()["url"]
        self.assertIn("written=", url)
        with self.assertNoLogs("odoo.http", "WARNING"):
            self.assertEqual(self.url_open(url).content[:2], b"PK", "served by the read-only cursor")
        # a link made after a recomputation the replica has not replayed yet
        later = fields.Datetime.to_string(fields.Datetime.add(run.write_date, seconds=5))
        with self.assertLogs("odoo.http", "WARNING") as logs:
            response = self.url_open(f"/credit_collection/provision/{run.id}/xlsx?written={later}")
        self.assertEqual(response.content[:2], b"PK", "served by the primary")
        self.assertIn("not on the replica yet", "\n".join(logs.output))

    def test_aging_xlsx_streamed_by_a_read_only_route(self):
        self._inv(1000.0, date(2024, 5, 1), date(2024, 5, 31))
        self._inv(250.55, date(2024, 6, 10), date(2024, 7, 10), partner=self.beta)
        wizard = (
            self.env["credit.aging.wizard"]
            .with_user(self.collector)
            .create({"date": D, "bucket_set_id": self.days_set.id, "partner_ids": [(6, 0, self.beta.ids)]})
        )
        url = wizard.action_export_xlsx()["url"]
        self.authenticate("cct_aging_collector", "cct_aging_collector")
        with self.assertNoLogs("odoo.http", "WARNING"):
            response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("aging_2024-06-30.xlsx", response.headers["Content-Disposition"])
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            detail = book.read("xl/worksheets/sheet2.xml").decode()
        self.assertIn("<v>250.55</v>", detail, "Beta's invoice, as the wizard filtered it")
        self.assertNotIn("<v>1000</v>", detail, "not the other customer's")
        # a sales rep does not read the aging
        new_test_user(
            self.env,
            login="cct_replica_sales",
            groups="sales_team.group_sale_salesman",
            company_id=self.company.id,
            company_ids=self.company.ids,
        )
        self.authenticate("cct_replica_sales", "cct_replica_sales")
        self.assertEqual(self.url_open(url).status_code, 403)
