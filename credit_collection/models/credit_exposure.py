"""The one place where a customer's credit exposure is computed.

Exposure (README, "Credit control at order time") of a commercial partner, per company, in company currency:
    open posted receivables (residuals: invoices, refunds and unapplied payments)
  + draft customer invoices and refunds
  + confirmed sale orders not yet invoiced (tax included).
An amount moves from one component to the next as the order travels order -> draft invoice ->
posted -> paid, so it is never counted twice: the order component only counts what no
(non-cancelled) invoice line of the order covers yet.

Odoo 18 branches: core pools a customer's receivables of a company's branches under the root
company (res.partner.credit reads ``company_id child_of company.root_id``). The exposure follows it:
for a company it is computed over the company's root and all the root's branches (receivables,
draft invoices and open orders), against the limit the customer has in the root company, so that a
customer cannot take the group's limit once per branch. The other figures of the pool follow:
- the overdue rule reads the pooled receivables: being late with one branch is being late with the
  group, as core's ``credit`` shows it; the tolerance and minimum stay the ordering company's settings;
- a credit hold set in any company of the pool stops orders in all of them (a stop-supply decision
  cannot be dodged by ordering through a sibling branch); the reason names the company that set it;
- guarantees and temporary increases registered in any company of the pool raise the pooled limit
  (branches are one legal entity, with one currency: core delegates the currency to the root).
A company without branches is its own pool: nothing changes for it.

Everything is read by one SQL statement whatever the customer's history, so the order-time
check costs a constant number of queries (see bench/).
"""

import copy
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytz

from odoo import api, fields, models, tools
from odoo.tools import SQL
from odoo.tools.sql import index_exists


@dataclass
class Exposure:
    """A customer's credit position in one company, in that company's currency."""

    partner_id: int
    currency: object
    receivable: float = 0.0
    draft_invoices: float = 0.0
    open_orders: float = 0.0
    limit: float = 0.0  # 0 = no limit (Odoo's own meaning of credit_limit)
    hold: bool = False
    hold_reason: str = ""
    overdue_amount: float = 0.0  # residual overdue, any number of days
    oldest_due_date: datetime.date | None = None
    late_amount: float = 0.0  # residual overdue beyond the company's tolerance (rule 3)
    late_oldest_due_date: datetime.date | None = None
    input_partner_ids: tuple = ()  # the partners asked about that roll up to this customer
    # Extensions add their own attributes, declared as ExposureField by
    # credit.exposure._exposure_fields(): every Exposure the engine returns carries all of them.

    def replace(self, **changes):
        """A copy with `changes`, keeping the attributes extensions added (dataclasses.replace would
        build a new Exposure from the declared fields alone and lose them)."""
        new = copy.copy(self)
        for name, value in changes.items():
            setattr(new, name, value)
        return new

    @property
    def total(self):
        return self.currency.round(self.receivable + self.draft_invoices + self.open_orders)

    @property
    def has_limit(self):
        return self.limit > 0

    @property
    def available(self):
        return self.currency.round(self.limit - self.total) if self.has_limit else 0.0


@dataclass(frozen=True)
class ExposureField:
    """An attribute an extension adds to Exposure.

    ``sql``: the expression the exposure statement reads it from (evaluated per customer row, alias
    ``p``: res_partner; the CTE ``family``, column ``id``, holds the companies pooled with the
    company asked about), turned into the attribute's value by ``parse`` when given; a NULL gives
    the default. Without ``sql`` the extension sets the attribute itself after the statement.
    ``default`` is a value, or with ``factory`` a callable that makes a fresh one (dict, list...).
    """

    name: str
    default: Any = None
    sql: SQL | None = None
    parse: Callable[[Any], Any] | None = None
    factory: Callable[[], Any] | None = None

    def initial(self):
        return self.factory() if self.factory else self.default

    def value(self, raw):
        if raw is None:
            return self.initial()
        return self.parse(raw) if self.parse else raw


class CreditExposure(models.AbstractModel):
    _name = "credit.exposure"
    _description = "Credit exposure engine"

    def init(self):
        res = super().init()
        # Open items only (most journal items are settled or on accounts without residual), with the
        # columns the exposure sums: a customer's 10 000 open invoices are read from this index alone.
        if not index_exists(self.env.cr, "account_move_line_credit_open_idx"):
            self.env.cr.execute(
                """
                CREATE INDEX account_move_line_credit_open_idx
                    ON account_move_line (partner_id, company_id)
                    INCLUDE (account_id, amount_residual, date_maturity, date, reconciled)
                 WHERE parent_state = 'posted' AND amount_residual != 0
                """
            )
        # What the invoice lines of sale orders cover, per order (the open-orders component). A
        # function rather than a join in the exposure statement because PostgreSQL plans a
        # PL/pgSQL body only when it runs: most customers have no open order, and then nothing of
        # it is planned (its four tables, a third of the statement's planning time, are the
        # planning of every check otherwise). Same figures: amounts in the order's currency, lines
        # of cancelled invoices left out, refunds negative.
        self.env.cr.execute(
            """
            CREATE OR REPLACE FUNCTION credit_sale_order_invoiced(order_ids integer[])
                RETURNS TABLE (order_id integer, amount numeric)
                LANGUAGE plpgsql STABLE AS $$
            BEGIN
                IF order_ids = '{}' THEN
                    RETURN;
                END IF;
                RETURN QUERY
                    SELECT sol.order_id,
                           SUM(CASE WHEN am.move_type = 'out_refund' THEN -aml.price_total
                                    ELSE aml.price_total END)
                      FROM sale_order_line sol
                      JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id
                      JOIN account_move_line aml ON aml.id = rel.invoice_line_id
                      JOIN account_move am ON am.id = aml.move_id
                     WHERE sol.order_id = ANY(order_ids)
                       AND am.state != 'cancel'
                     GROUP BY sol.order_id;
            END
            $$
            """
        )
        return res

    @api.model
    def _today(self):
        """Today in the user's time zone, as ``fields.Date.context_today`` gives it, at no cost on the
        order-time path. A web request's context carries the time zone; without it (RPC, imports,
        jobs) core reads the user's ``tz``, a field of the user's partner, and so fetches that whole
        partner row (a hundred columns) for one value. ``res.users.context_get()`` is core's own
        cached copy of the user's time zone (cleared whenever a user's tz changes)."""
        tz = self.env.context.get("tz") or self.env["res.users"].context_get().get("tz")
        # an unknown name falls back to the server's date, as context_today does
        if tz in pytz.all_timezones_set:
            return datetime.datetime.now(pytz.timezone(tz)).date()
        return fields.Date.today()

    @api.model
    def _exposure_fields(self, company, exclude_order_ids, today):
        """The attributes extensions add to Exposure: [ExposureField]. Those with an SQL expression
        are read by the same statement (one more column each). Extend with super() + your fields.
        Declare a field without ``sql`` when its feature is not in use (``_exposure_features``):
        every column costs PostgreSQL planning time at every check, even when it reads nothing."""
        return []

    @api.model
    @tools.ormcache("company_id")
    def _exposure_features(self, company_id):
        """The optional features of the exposure statement in use for the company: frozenset of names
        (see ``_exposure_features_compute``).

        The statement is planned afresh at every order check (Odoo's pool resets connections, so no
        prepared statement outlives a request) and planning is most of its cost: the columns of
        features nobody uses are left out. Cached per company and worker, no query on the hot path.
        Whatever creates or moves such records calls ``_exposure_feature_added``, which clears the
        registry's cache; Odoo signals the clear to the other workers at the end of the request,
        and a stale value is never read by a transaction that could see the new records. Removing
        the last such record does not clear it: a feature in use too long only costs planning time.
        """
        return frozenset(self.sudo()._exposure_features_compute(self.env["res.company"].browse(company_id)))

    @api.model
    @tools.ormcache("company_id")
    def _exposure_pool(self, company_id):
        """The ids of the companies pooled with the company (its root first, then the root's
        branches): passed to the statement as values, which PostgreSQL plans faster than a lookup
        of the company tree. Cached per company; creating a branch clears the cache."""
        self.env["res.company"].flush_model(["parent_path"])
        self.env.cr.execute(
            SQL(
                """
                SELECT f.id
                  FROM res_company f
                  JOIN res_company c ON SPLIT_PART(c.parent_path, '/', 1) = SPLIT_PART(f.parent_path, '/', 1)
                 WHERE c.id = %s
                 ORDER BY f.parent_path
                """,
                company_id,
            )
        )
        return tuple(row[0] for row in self.env.cr.fetchall()) or (company_id,)

    @api.model
    def _in_pool(self, pool):
        """`column %s` of the statement for "in the pool": ``= id`` for a company without branches
        (PostgreSQL plans an equality faster than ``= ANY(array)``, against every index of the table)."""
        return SQL("= %s", pool[0]) if len(pool) == 1 else SQL("= ANY(%s)", list(pool))

    @api.model
    @tools.ormcache()
    def _receivable_account_ids(self):
        """The ids of the receivable accounts (every company's: accounts are shared in Odoo 18),
        passed to the statement as values rather than a sub-select PostgreSQL plans at every check.
        Cached per worker; creating, retyping or deleting a receivable account clears the cache
        (credit_exposure_features.py)."""
        self.env["account.account"].flush_model(["account_type"])
        self.env.cr.execute("SELECT id FROM account_account WHERE account_type = 'asset_receivable' ORDER BY id")
        return tuple(row[0] for row in self.env.cr.fetchall())

    @api.model
    def _exposure_features_compute(self, company):
        """Names of the features in use for `company` (its pool: the root and its branches).
        Extend with super() | {...}; runs on a cache miss only."""
        return set()

    @api.model
    def _exposure_feature_added(self, feature, companies):
        """Records of `feature` now exist in `companies`: make every company whose cached features
        lack it (the pools of `companies`) read it from the next statement on."""
        pool = {company_id for company in companies for company_id in self._exposure_pool(company.id)}
        if any(feature not in self._exposure_features(company_id) for company_id in pool):
            self.env.registry.clear_cache()
            # again once committed: a worker thread may have cached the old value from an older
            # snapshot meanwhile (the clear is signalled to other processes at the end of the request)
            self.env.cr.postcommit.add(self.env.registry.clear_cache)

    @api.model
    def _exposure_query(
        self,
        partner_ids,
        company,
        exclude_order_ids,
        today,
        late_before,
        declared=None,
        pool=None,
        lock=False,
        receivable_from="summary",
    ):
        """One statement for every component; grouped by commercial partner. `declared`: the
        result of ``_exposure_fields`` for the same arguments, `pool`: ``_exposure_pool(company.id)``,
        when the caller has them already. `lock`: the statement also takes the credit decision's
        lock on the customers (``_lock_sql``), so that a confirmation costs one query.
        `receivable_from`: see ``_receivable_sql``."""
        if declared is None:
            declared = self._exposure_fields(company, exclude_order_ids or [], today)
        read = [f for f in declared if f.sql]
        extra_select = SQL("").join(SQL(", %s", f.sql) for f in read)
        if pool is None:
            pool = self._exposure_pool(company.id)
        if read:
            # the extension columns read the customer's row as ``p``: res_partner
            customer_columns, customer_row = SQL(""), SQL("res_partner p")
        else:
            # The customer rows hold the commercial partner's own (its commercial partner is
            # itself): its limit and hold are taken from there, one table less to plan.
            customer_columns = SQL(", p.id, p.credit_limit, p.credit_hold, p.credit_hold_reason")
            customer_row = SQL("customer p")
        if len(pool) == 1:
            # a company without branches: its own hold, no pool to walk (less for PostgreSQL to plan)
            hold = SQL(
                """COALESCE((p.credit_hold ->> %(key)s)::boolean, FALSE),
                   COALESCE(CASE WHEN (p.credit_hold ->> %(key)s)::boolean
                                 THEN NULLIF(p.credit_hold_reason ->> %(key)s, '') END, '')""",
                key=str(company.id),
            )
        else:
            hold = SQL(
                """
                   -- held in any company of the pool; another company's hold names that company
                   COALESCE((SELECT BOOL_OR((p.credit_hold ->> f.id::text)::boolean) FROM family f), FALSE),
                   COALESCE((SELECT STRING_AGG(
                                        CASE WHEN f.id = %(company_id)s
                                             THEN NULLIF(p.credit_hold_reason ->> f.id::text, '')
                                             ELSE f.name || COALESCE(
                                                 ': ' || NULLIF(p.credit_hold_reason ->> f.id::text, ''), '')
                                        END, '; ' ORDER BY f.id != %(company_id)s, f.parent_path)
                               FROM family f
                              WHERE (p.credit_hold ->> f.id::text)::boolean), '')
                """,
                company_id=company.id,
            )
        return SQL(
            """
            WITH input AS (
                -- the partners asked about (order addresses, contacts...) and their commercial partner
                SELECT i.id AS input_id, i.commercial_partner_id AS cid
                  FROM res_partner i
                 WHERE i.id = ANY(%(partner_ids)s)
            ),
            %(lock)s family AS (
                -- the pool: the root and all its branches (core's credit: company_id child_of root_id)
                SELECT f.id, f.name, f.parent_path
                  FROM res_company f
                 WHERE f.id = ANY(%(pool)s)
            ),
            customer AS (
                SELECT p.id AS partner_id, p.commercial_partner_id AS cid %(customer_columns)s
                  FROM res_partner p
                 WHERE p.commercial_partner_id IN (SELECT cid FROM input)
            ),
            receivable AS (%(receivable)s),
            open_orders AS (
                SELECT c.cid, so.id, so.amount_total, so.currency_rate
                  FROM sale_order so
                  JOIN customer c ON c.partner_id = so.partner_invoice_id
                 WHERE so.company_id %(in_pool)s
                   AND so.state = 'sale'
                   AND so.invoice_status != 'invoiced'
                   AND so.id != ALL(%(exclude_order_ids)s)
            ),
            orders AS (
                -- amount_total and invoiced amounts are in the order's currency: convert once,
                -- at the order's own rate (currency_rate is company -> order currency). What
                -- invoices cover comes from credit_sale_order_invoiced (see init()), called once
                -- for all the open orders.
                SELECT o.cid AS partner_id,
                       SUM(GREATEST(o.amount_total - COALESCE(inv.amount, 0), 0)
                           / COALESCE(NULLIF(o.currency_rate, 0), 1)) AS amount
                  FROM open_orders o
                  LEFT JOIN credit_sale_order_invoiced(ARRAY(SELECT id FROM open_orders)) inv
                         ON inv.order_id = o.id
                 GROUP BY o.cid
            )
            SELECT p.id,
                   COALESCE(r.amount, 0),
                   -- draft invoices: a sub-select per customer row (an index lookup each), which
                   -- PostgreSQL plans faster than one more aggregate joined in
                   COALESCE((SELECT SUM(m.amount_total_signed)
                               FROM account_move m
                              WHERE m.commercial_partner_id = p.id
                                AND m.company_id %(in_pool)s
                                AND m.state = 'draft'
                                AND m.move_type IN ('out_invoice', 'out_refund')), 0),
                   COALESCE(o.amount, 0),
                   -- the limit as core reads it in the root company
                   (p.credit_limit ->> %(root_key)s)::numeric,
                   %(hold)s,
                   COALESCE(r.overdue, 0), r.oldest_due,
                   COALESCE(r.late, 0), r.late_due,
                   ia.ids
                   %(extra_select)s
              -- the customers asked about, grouped once (a sub-select per customer is quadratic over a list)
              FROM (SELECT cid, ARRAY_AGG(input_id) AS ids FROM input GROUP BY cid) ia
              JOIN %(customer_row)s ON p.id = ia.cid
              LEFT JOIN receivable r ON r.partner_id = p.id
              LEFT JOIN orders o ON o.partner_id = p.id
            """,
            partner_ids=list(partner_ids),
            company_id=company.id,
            exclude_order_ids=list(exclude_order_ids or []),
            today=today,
            late_before=late_before,
            extra_select=extra_select,
            pool=list(pool),
            in_pool=self._in_pool(pool),
            root_key=str(pool[0]),
            customer_columns=customer_columns,
            customer_row=customer_row,
            hold=hold,
            receivable=self._receivable_sql(pool, today, late_before, receivable_from),
            lock=SQL("lock AS (%s),", self._lock_sql(partner_ids, pool[0], from_input=True)) if lock else SQL(""),
        )

    @api.model
    def _receivable_sql(self, pool, today, late_before, receivable_from="summary"):
        """The ``receivable`` part of the exposure statement: per commercial partner (``customer``
        CTE: partner_id, cid) the open receivables, overdue and late sums and oldest due dates.

        From the per-due-date summary of open items (``credit_open_item_sum``, see
        credit_exposure_summary.py): a customer with 10 000 open invoices is a thousand rows there
        at most (one per due date), read from one index.
        ``receivable_from="items"`` reads the journal items themselves (the same figures: what the
        summary is checked against, and the bench's comparison)."""
        if receivable_from == "items":
            return SQL(
                """
                -- One plain aggregate per journal-item partner (no GROUP BY inside, so no sort of the
                -- open items): the open-items index alone answers it. Sums and dates only: the oldest
                -- item's name is looked up when a message or a form shows it.
                SELECT c.cid AS partner_id,
                       SUM(receivable_by_partner.amount) AS amount,
                       SUM(receivable_by_partner.overdue) AS overdue,
                       MIN(receivable_by_partner.oldest_due) AS oldest_due,
                       SUM(receivable_by_partner.late) AS late,
                       MIN(receivable_by_partner.late_due) AS late_due
                  FROM customer c
                 CROSS JOIN LATERAL (
                       -- Only debit residuals are "due"; credits (refunds, payments) never are. The
                       -- due date is written out in each aggregate, not computed by a lateral
                       -- sub-select, and the receivable accounts are an array read once, not a join:
                       -- both are per-item work, a third of the time at 10 000 open items.
                       SELECT SUM(aml.amount_residual) AS amount,
                              SUM(aml.amount_residual) FILTER (WHERE aml.amount_residual > 0
                                  AND COALESCE(aml.date_maturity, aml.date) < %(today)s) AS overdue,
                              MIN(COALESCE(aml.date_maturity, aml.date)) FILTER (WHERE aml.amount_residual > 0
                                  AND COALESCE(aml.date_maturity, aml.date) < %(today)s) AS oldest_due,
                              SUM(aml.amount_residual) FILTER (WHERE aml.amount_residual > 0
                                  AND COALESCE(aml.date_maturity, aml.date) < %(late_before)s) AS late,
                              MIN(COALESCE(aml.date_maturity, aml.date)) FILTER (WHERE aml.amount_residual > 0
                                  AND COALESCE(aml.date_maturity, aml.date) < %(late_before)s) AS late_due
                         FROM account_move_line aml
                        WHERE aml.partner_id = c.partner_id
                          AND aml.company_id %(in_pool)s
                          AND aml.parent_state = 'posted'
                          AND aml.reconciled IS NOT TRUE
                          AND aml.amount_residual != 0  -- the partial index account_move_line_credit_open_idx
                          AND aml.account_id = ANY(%(accounts)s)
                 ) AS receivable_by_partner (amount, overdue, oldest_due, late, late_due)
                 GROUP BY c.cid
                """,
                in_pool=self._in_pool(pool),
                today=today,
                late_before=late_before,
                accounts=list(self._receivable_account_ids()),
            )
        return SQL(
            """
                SELECT c.cid AS partner_id,
                       SUM(receivable_by_partner.amount) AS amount,
                       SUM(receivable_by_partner.overdue) AS overdue,
                       MIN(CASE WHEN receivable_by_partner.first_due < %(today)s
                                THEN receivable_by_partner.first_due END) AS oldest_due,
                       SUM(receivable_by_partner.late) AS late,
                       MIN(CASE WHEN receivable_by_partner.first_due < %(late_before)s
                                THEN receivable_by_partner.first_due END) AS late_due
                  FROM customer c
                 CROSS JOIN LATERAL (
                       SELECT SUM(s.amount) AS amount,
                              SUM(s.debit_amount) FILTER (WHERE s.due < %(today)s) AS overdue,
                              SUM(s.debit_amount) FILTER (WHERE s.due < %(late_before)s) AS late,
                              -- The oldest due date with an open debit: the oldest and the late one are
                              -- it when it is before today or the tolerance. A date's rows are summed
                              -- first (until the fold, a date has several rows, and a credit row can
                              -- cancel a debit); read in date order, the first such date stops the scan.
                              (SELECT f.due
                                 FROM credit_open_item_sum f
                                WHERE f.partner_id = c.partner_id
                                  AND f.company_id %(in_pool)s
                                  AND f.account_id = ANY(%(accounts)s)
                                GROUP BY f.due
                               HAVING SUM(f.debit_count) > 0
                                ORDER BY f.due
                                LIMIT 1) AS first_due
                         FROM credit_open_item_sum s
                        WHERE s.partner_id = c.partner_id
                          AND s.company_id %(in_pool)s
                          AND s.account_id = ANY(%(accounts)s)
                 ) AS receivable_by_partner
                 GROUP BY c.cid
            """,
            in_pool=self._in_pool(pool),
            today=today,
            late_before=late_before,
            accounts=list(self._receivable_account_ids()),
        )

    @api.model
    def _get_exposures(self, partners, company, exclude_orders=None, today=None, lock=False):
        """Return {commercial partner id: Exposure} for the customers of `partners` in `company`,
        pooled over the company's root and its branches (see the module docstring).

        `lock`: take the credit decision's lock on these customers in the same statement (see
        ``_lock_customers``): what a confirmation does before deciding.

        `partners` may be contacts or addresses: the statement itself rolls them up to their
        commercial partner (each Exposure lists them in `input_partner_ids`), so no partner needs
        to be read first. `exclude_orders` are left out of the open-orders component (the orders
        being checked).
        """
        partners = partners._origin
        if not partners:
            return {}
        today = today or self._today()
        tolerance = company.credit_overdue_days
        # With no tolerance the overdue rule is off: no date is "late" then.
        late_before = today - datetime.timedelta(days=tolerance) if tolerance > 0 else datetime.date.min
        # Raw SQL below: make pending ORM writes visible to it first. The statement reads many tables
        # (extensions' too); with nothing pending a flush_all costs nothing, a flush_model per table
        # costs a quarter of a millisecond of recompute checks.
        self.env.flush_all()
        # a quotation being edited in the form has no id yet: only saved orders can be excluded
        exclude_ids = exclude_orders._origin.ids if exclude_orders else []
        declared = self._exposure_fields(company, exclude_ids, today)
        read = [f for f in declared if f.sql]
        pool = self._exposure_pool(company.id)
        self.env.cr.execute(
            self._exposure_query(partners.ids, company, exclude_ids, today, late_before, declared, pool=pool, lock=lock)
        )
        rows = self.env.cr.fetchall()
        # The pool's limit is the root's: its default too, read only for a customer without a limit
        # of its own (may query: only after fetchall()). The root is the cached pool's first id:
        # company.root_id is computed from parent_path at every check.
        default_limit = None
        currency = company.currency_id
        result = {}
        for row in rows:
            (
                pid,
                receivable,
                draft,
                orders,
                limit,
                hold,
                reason,
                overdue,
                oldest,
                late,
                late_due,
                input_ids,
            ) = row[:12]
            if limit is None and default_limit is None:
                default_limit = self._default_credit_limit(self.env["res.company"].browse(pool[0]))
            exposure = result[pid] = Exposure(
                partner_id=pid,
                currency=currency,
                receivable=currency.round(float(receivable)),
                draft_invoices=currency.round(float(draft)),
                open_orders=currency.round(float(orders)),
                limit=float(limit) if limit is not None else default_limit,
                hold=bool(hold),
                hold_reason=reason,
                overdue_amount=currency.round(float(overdue)),
                oldest_due_date=oldest,
                late_amount=currency.round(float(late)),
                late_oldest_due_date=late_due,
                input_partner_ids=tuple(input_ids),
            )
            for declared_field in declared:
                setattr(exposure, declared_field.name, declared_field.initial())
            for declared_field, raw in zip(read, row[12:], strict=True):
                setattr(exposure, declared_field.name, declared_field.value(raw))
        return result

    @api.model
    def _oldest_open_item(self, partner_id, company, due_before):
        """Name of the customer's oldest open receivable item due before `due_before` (the oldest
        overdue one): one indexed lookup, made only when a message or a form shows it."""
        if not due_before:
            return ""
        self.env.cr.execute(
            SQL(
                """
                SELECT aml.move_name
                  FROM account_move_line aml
                  JOIN res_partner p ON p.id = aml.partner_id
                  JOIN account_account acc ON acc.id = aml.account_id
                 WHERE p.commercial_partner_id = %(partner_id)s
                   -- the pool of the exposure: the company's root and its branches
                   AND aml.company_id IN (
                       SELECT f.id
                         FROM res_company f
                         JOIN res_company c ON SPLIT_PART(c.parent_path, '/', 1) = SPLIT_PART(f.parent_path, '/', 1)
                        WHERE c.id = %(company_id)s)
                   AND aml.parent_state = 'posted'
                   AND aml.reconciled IS NOT TRUE
                   AND aml.amount_residual > 0
                   AND acc.account_type = 'asset_receivable'
                   AND COALESCE(aml.date_maturity, aml.date) < %(before)s
                 ORDER BY COALESCE(aml.date_maturity, aml.date), aml.id
                 LIMIT 1
                """,
                partner_id=partner_id,
                company_id=company.id,
                before=due_before,
            )
        )
        row = self.env.cr.fetchone()
        return row[0] if row else ""

    @api.model
    def _default_credit_limit(self, company):
        """The company's default limit: Odoo keeps it as the ir.default of res.partner.credit_limit."""
        partner_model = self.env["res.partner"].with_company(company)
        return partner_model._fields["credit_limit"].get_company_dependent_fallback(partner_model) or 0.0

    @api.model
    def _lock_customers(self, partners, company):
        """Serialize credit decisions per customer and pool of companies.

        The row is keyed by the company's root: the exposure pools a root and its branches, so two
        confirmations of the same customer in two branches must write the same row too.

        Odoo runs REPEATABLE READ: a SELECT ... FOR UPDATE would not make a later read see a
        concurrent commit. Writing the same row does: the second of two concurrent transactions
        gets a serialization failure, and Odoo's request layer retries it on a fresh snapshot,
        where the first order is visible. Ids are sorted so that batches never deadlock.
        """
        ids = partners._origin.ids
        if not ids:
            return
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        # The root comes from the cached pool (root first): no company row to plan or read.
        self.env.cr.execute(self._lock_sql(ids, self._exposure_pool(company.id)[0]))

    @api.model
    def _lock_sql(self, partner_ids, root_id, from_input=False):
        """The lock of ``_lock_customers`` as one statement. ``_get_exposures(lock=True)`` runs it as
        a data-modifying CTE of the exposure statement: PostgreSQL runs such a CTE to completion
        whether or not the query reads it, with the same snapshot, so the second of two concurrent
        writers of a row still gets the serialization failure, now from the one statement that also
        reads the exposure. The commercial partner is looked up here rather than read first;
        `from_input`: in the exposure statement, from its ``input`` CTE (one table less to plan)."""
        if from_input:
            return SQL(
                """
                INSERT INTO credit_partner_lock (partner_id, company_id, locked_at)
                SELECT DISTINCT input.cid, %(root_id)s, NOW() AT TIME ZONE 'UTC'
                  FROM input
                 ORDER BY 1
                ON CONFLICT (partner_id, company_id) DO UPDATE SET locked_at = EXCLUDED.locked_at
                RETURNING partner_id
                """,
                root_id=root_id,
            )
        return SQL(
            """
            INSERT INTO credit_partner_lock (partner_id, company_id, locked_at)
            SELECT DISTINCT p.commercial_partner_id, %(root_id)s, NOW() AT TIME ZONE 'UTC'
              FROM res_partner p
             WHERE p.id = ANY(%(ids)s)
             ORDER BY 1
            ON CONFLICT (partner_id, company_id) DO UPDATE SET locked_at = EXCLUDED.locked_at
            RETURNING partner_id
            """,
            root_id=root_id,
            ids=list(partner_ids),
        )
