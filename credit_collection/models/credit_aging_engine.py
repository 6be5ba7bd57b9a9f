"""The one aging engine: open receivables of any date, in one SQL statement.

An item is a posted journal item on a receivable account (``asset_receivable``) dated on or before
the as-of date D. Its residual at D, in company currency, is

    residual(D) = amount_residual (today) + partial reconciliations dated after D
                = balance - partial reconciliations dated on or before D

where a partial reconciliation's date is its ``max_date``: the later of the two reconciled items'
dates, i.e. the day the reconciliation exists in the ledger. With that date the total ties out to
the general ledger: a partial dated on or before D joins two items both dated on or before D and
cancels out between them; a partial dated after D has at least one side dated after D, which is
left out, so the other side keeps its full amount. Hence

    Σ residual(D) over the items = Σ balance of the receivable items dated on or before D

exactly (tests/test_aging.py proves it). Starting from today's ``amount_residual`` and adding back
the partials dated after D, an item is open at D when it is unreconciled today or has a partial
dated after D.

Speed: the statement is one (parallel) scan of the receivable items up to D, hash-joined to the few
partials dated after D, the partners and the receivable accounts: the same work as a bare sum of the
residuals (bench/bench_aging.py measures the ratio). The invoice (account_move) is a LEFT JOIN on its
primary key, which PostgreSQL drops when a query reads none of its columns (the aging by customer
does not), and the disputed flag is read from the small set of disputed invoices (a partial index)
rather than from a join of every item to its invoice.

The age of an item is an integer in the bucket set's unit:
- days past due: D - (due date, or the item's date when it has none);
- days since invoice: D - (invoice date, or the item's date);
- years since invoice (账龄): the number of started years, 1 for up to one year, 2 for more than
  one and up to two years, ...; 0 or less for future dates (first bucket).
Credit items (refunds, unapplied payments) are aged the same way on their own dates, so every
amount lands in exactly one bucket and the columns add up to the total.

The aging report, the provision runs and the KPIs all read this engine.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.sql import create_index

# who reads receivables through the engine: credit staff, and accountants (billing, read-only
# accounting) for the aging and KPI reports
READER_GROUPS = (
    "credit_collection.group_credit_collector",
    "account.group_account_invoice",
    "account.group_account_readonly",
)
GROUPINGS = ("partner_id", "user_id", "team_id", "country_id", "company_id", "grade_id", "bucket_id")


class CreditAgingEngine(models.AbstractModel):
    _name = "credit.aging.engine"
    _description = "Aging engine (open receivables at a date)"

    def init(self):
        # the partial reconciliations dated after an as-of date are read by range
        create_index(
            self.env.cr,
            "credit_collection_partial_reconcile_max_date_idx",
            "account_partial_reconcile",
            ["company_id", "max_date"],
        )

    # ------------------------------------------------------------------ access
    @api.model
    def _check_reader(self):
        """The engine reads every receivable of the companies: collectors and above only (it is
        reachable by RPC, and reads with SQL, below the ORM's access rules)."""
        user = self.env.user
        if not self.env.su and not any(user.has_group(group) for group in READER_GROUPS):
            raise AccessError(
                self.env._("Only credit collectors, analysts, managers and accountants may read the aging.")
            )

    @api.model
    def _check_companies(self, companies):
        """The companies an RPC caller passes (ids or records) as records, limited to the user's own:
        the engine's SQL is below the ORM's multi-company rules."""
        companies = self.env["res.company"].browse(companies.ids if hasattr(companies, "ids") else companies)
        foreign = companies - self.env.user.company_ids
        if foreign and not self.env.su:
            raise AccessError(
                self.env._(
                    "You may not read the receivables of %(companies)s: ask an administrator for access to the "
                    "company, or choose one of yours.",
                    companies=", ".join(foreign.sudo().mapped("name")),
                )
            )
        return companies

    @api.model
    def _without_jit(self):
        """PostgreSQL's JIT off for the rest of this transaction, before a statement over every open
        item of a company: it compiles the statement's expressions for longer than they take to run
        (at a million invoices 0.2-0.4 s of compiling a day's aging, up to 2 s for the year back's
        plan), and changes no result. The transaction only reads, or computes a report."""
        self.env.cr.execute(SQL("SET LOCAL jit = off"))

    # ------------------------------------------------------------------ parameters
    @api.model
    def _default_bucket_set(self):
        bucket_set = self.env.ref("credit_collection.aging_bucket_set_days", raise_if_not_found=False)
        return bucket_set or self.env["credit.aging.bucket.set"].search([], limit=1)

    @api.model
    def _params(self, as_of=None, basis=None, bucket_set=None, companies=None):
        """Normalise the parameters; missing ones come from the context, then the defaults."""
        ctx = self.env.context
        as_of = fields.Date.to_date(as_of or ctx.get("credit_aging_date")) or fields.Date.context_today(self)
        if bucket_set is None and ctx.get("credit_aging_bucket_set_id"):
            bucket_set = self.env["credit.aging.bucket.set"].browse(ctx["credit_aging_bucket_set_id"]).exists()
        # without any bucket set (during installation) items simply have no bucket
        bucket_set = bucket_set or self._default_bucket_set()
        basis = basis or ctx.get("credit_aging_basis") or bucket_set.basis
        if bucket_set.unit == "years":
            basis = "invoice"
        companies = self._check_companies(companies) if companies is not None else self.env.companies
        return as_of, basis, bucket_set.sudo(), companies

    # ------------------------------------------------------------------ grade and dispute columns
    @api.model
    def _grade_sql(self, partner_alias, company_alias):
        """The customer's grade in the item's company (res.partner.credit_grade_id, company-dependent)."""
        return SQL(
            "(%s ->> %s::text)::int",
            SQL.identifier(partner_alias, "credit_grade_id"),
            SQL.identifier(company_alias, "company_id"),
        )

    @api.model
    def _dispute_sql(self, line_alias):
        """Is the item's invoice disputed (account.move.collection_dispute)?

        Written as membership of the disputed invoices (a hashed sub-plan over the partial index
        account_move_collection_disputed_idx) so that no item needs a join to its invoice for it.
        """
        # the predicate is exactly the partial index's
        return SQL(
            "(%s IN (SELECT dm.id FROM account_move dm WHERE dm.collection_dispute))",
            SQL.identifier(line_alias, "move_id"),
        )

    @api.model
    def _receivable_item_sql(self, line_alias="aml", account_alias="acc"):
        """A posted journal item on a receivable account: the condition every receivable figure
        starts from (the aging, the tie-out, statements, KPIs, cohorts, payment behaviour)."""
        return SQL(
            "%s = 'posted' AND %s = 'asset_receivable'",
            SQL.identifier(line_alias, "parent_state"),
            SQL.identifier(account_alias, "account_type"),
        )

    @api.model
    def _customer_sql(self, partner):
        """`where` condition of one customer's items (its contacts and addresses included): the
        journal items' partner index finds them without scanning every receivable item."""
        return SQL(
            "aml.partner_id IN (SELECT cust.id FROM res_partner cust WHERE cust.commercial_partner_id = %s)",
            partner.commercial_partner_id.id,
        )

    @api.model
    def _age_sql(self, as_of, basis, unit):
        if unit == "years":
            start = SQL("COALESCE(m.invoice_date, aml.date)")
            full = SQL("EXTRACT(YEAR FROM age(%s::date, %s))::int", as_of, start)
            return SQL(
                "(%(full)s + CASE WHEN %(start)s + make_interval(years => %(full)s) < %(as_of)s::date"
                " THEN 1 ELSE 0 END)",
                full=full,
                start=start,
                as_of=as_of,
            )
        if basis == "invoice":
            return SQL("(%s::date - COALESCE(m.invoice_date, aml.date))", as_of)
        return SQL("(%s::date - COALESCE(aml.date_maturity, aml.date))", as_of)

    @api.model
    def _bucket_sql(self, bucket_set):
        """The bucket of an item as one CASE over its age: the set's buckets are contiguous
        (validated), so the first upper bound the age does not exceed names its bucket."""
        buckets = bucket_set.bucket_ids.sorted(lambda b: (b.has_min, b.min_value, b.id))
        if not buckets:
            return SQL("NULL::int")
        last = buckets.filtered(lambda b: not b.has_max)[:1]
        whens = [SQL("WHEN item.age <= %s THEN %s", b.max_value, b.id) for b in buckets if b.has_max]
        if not whens:
            return SQL("%s::int", last.id)
        return SQL("(CASE %s ELSE %s::int END)", SQL(" ").join(whens), last.id or None)

    # ------------------------------------------------------------------ the statement
    @api.model
    def _items_query(self, as_of=None, basis=None, bucket_set=None, companies=None, where=None):
        """SQL of the open receivable items at `as_of`, one row per journal item, with its bucket.

        Columns: id (the journal item), move_id, company_id, partner_id (commercial partner),
        user_id, team_id, country_id, grade_id, account_id, date, date_maturity, invoice_date,
        currency_id, company_currency_id, amount (original, company currency), amount_currency
        (original, item currency), residual, residual_currency, age, bucket_id,
        disputed. `where` is an optional SQL condition on aml / m / pa (partner) / cp (commercial partner).
        """
        as_of, basis, bucket_set, companies = self._params(as_of, basis, bucket_set, companies)
        # never more than the user's allowed companies (the company switcher's)
        company_ids = list((companies & self.env.user.company_ids).ids if not self.env.su else companies.ids)
        return SQL(
            """
            WITH later AS (
                -- partial reconciliations dated after the as-of date are added back
                SELECT line_id, SUM(amount) AS amount, SUM(amount_currency) AS amount_currency
                  FROM (
                        SELECT apr.debit_move_id AS line_id, apr.amount, apr.debit_amount_currency AS amount_currency
                          FROM account_partial_reconcile apr
                         WHERE apr.max_date > %(as_of)s AND apr.company_id = ANY(%(company_ids)s)
                         UNION ALL
                        SELECT apr.credit_move_id, -apr.amount, -apr.credit_amount_currency
                          FROM account_partial_reconcile apr
                         WHERE apr.max_date > %(as_of)s AND apr.company_id = ANY(%(company_ids)s)
                       ) p
                 GROUP BY line_id
            ),
            item AS (
                SELECT aml.id,
                       aml.move_id,
                       aml.company_id,
                       pa.commercial_partner_id AS partner_id,
                       m.invoice_user_id AS user_id,
                       m.team_id,
                       cp.country_id,
                       %(grade)s AS grade_id,
                       aml.account_id,
                       aml.date,
                       aml.date_maturity,
                       m.invoice_date,
                       aml.currency_id,
                       aml.company_currency_id,
                       aml.balance AS amount,
                       aml.amount_currency,
                       aml.amount_residual + COALESCE(later.amount, 0) AS residual,
                       aml.amount_residual_currency + COALESCE(later.amount_currency, 0) AS residual_currency,
                       %(age)s AS age,
                       %(disputed)s AS disputed
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                  -- LEFT JOINs on primary keys: dropped by the planner when no column is read
                  LEFT JOIN account_move m ON m.id = aml.move_id
                  LEFT JOIN res_partner pa ON pa.id = aml.partner_id
                  LEFT JOIN res_partner cp ON cp.id = pa.commercial_partner_id
                  LEFT JOIN later ON later.line_id = aml.id
                 WHERE %(receivable)s
                   AND aml.company_id = ANY(%(company_ids)s)
                   AND aml.date <= %(as_of)s
                   AND (aml.reconciled IS NOT TRUE OR later.line_id IS NOT NULL)
                   AND %(where)s
            )
            SELECT item.*, %(bucket)s AS bucket_id
              FROM item
             WHERE item.residual != 0
            """,
            as_of=as_of,
            company_ids=company_ids,
            receivable=self._receivable_item_sql(),
            grade=self._grade_sql("cp", "aml"),
            age=self._age_sql(as_of, basis, bucket_set.unit),
            disputed=self._dispute_sql("aml"),
            bucket=self._bucket_sql(bucket_set),
            where=where or SQL("TRUE"),
        )

    @api.model
    @api.readonly
    def get_items(self, as_of=None, basis=None, bucket_set=None, companies=None, where=None):
        """The open items at `as_of` as a list of dicts (see `_items_query` for the keys)."""
        self._check_reader()
        self.env.flush_all()
        self._without_jit()
        self.env.cr.execute(
            SQL("%s ORDER BY partner_id, age DESC, id", self._items_query(as_of, basis, bucket_set, companies, where))
        )
        return self.env.cr.dictfetchall()

    @api.model
    @api.readonly
    def get_totals(self, groupby="partner_id", as_of=None, basis=None, bucket_set=None, companies=None, where=None):
        """Residuals per group and bucket:
        {group_id: {bucket_id: amount, 'total': amount, 'disputed': amount, 'current': not yet due}}.

        One aggregate over the same statement; `groupby` is one of GROUPINGS.
        """
        self._check_reader()
        if groupby not in GROUPINGS:
            raise UserError(
                self.env._("Unknown aging grouping %(name)s; use one of %(names)s.", name=groupby, names=GROUPINGS)
            )
        self.env.flush_all()
        as_of, basis, bucket_set, companies = self._params(as_of, basis, bucket_set, companies)
        query = self._items_query(as_of, basis, bucket_set, companies, where)
        self._without_jit()
        self.env.cr.execute(
            SQL(
                """
                SELECT i.%(key)s AS key, i.bucket_id, SUM(i.residual) AS amount,
                       SUM(i.residual) FILTER (WHERE i.disputed) AS disputed,
                       SUM(i.residual) FILTER (WHERE COALESCE(i.date_maturity, i.date) >= %(as_of)s) AS current
                  FROM (%(query)s) i
                 GROUP BY i.%(key)s, i.bucket_id
                """,
                key=SQL.identifier(groupby),
                query=query,
                as_of=as_of,
            )
        )
        result = {}
        for key, bucket_id, amount, disputed, current in self.env.cr.fetchall():
            group = result.setdefault(key, {"total": 0.0, "disputed": 0.0, "current": 0.0})
            group[bucket_id] = group.get(bucket_id, 0.0) + amount
            group["total"] += amount
            group["disputed"] += disputed or 0.0
            group["current"] += current or 0.0
        return result

    @api.model
    @api.readonly
    def get_summary(self, as_of=None, companies=None):
        """Key figures of the open items at `as_of`: {total, overdue, over_90, disputed,
        overdue_customers}, in one aggregate per customer over the same statement.

        A customer's overdue = the residuals of its open items due before `as_of` (credit notes and
        unapplied payments by their own due date, so they net it), disputed items left out (they are
        summed apart); never more than what the customer owes net of its disputed items, nor below 0,
        so the overdue total never exceeds the open total. Over 90 days likewise, within the overdue.
        Overdue customers = those with a positive overdue amount."""
        self._check_reader()
        self.env.flush_all()
        as_of, basis, bucket_set, companies = self._params(as_of, companies=companies)
        late = SQL("(%s::date - COALESCE(i.date_maturity, i.date))", as_of)
        self._without_jit()
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(i.residual), 0),
                       COALESCE(SUM(i.residual) FILTER (WHERE %(late)s > 0 AND NOT i.disputed), 0),
                       COALESCE(SUM(i.residual) FILTER (WHERE %(late)s > 90 AND NOT i.disputed), 0),
                       COALESCE(SUM(i.residual) FILTER (WHERE i.disputed), 0)
                  FROM (%(query)s) i
                 GROUP BY i.partner_id
                """,
                late=late,
                query=self._items_query(as_of, basis, bucket_set, companies),
            )
        )
        summary = {"total": 0.0, "overdue": 0.0, "over_90": 0.0, "disputed": 0.0, "overdue_customers": 0}
        for total, overdue, over_90, disputed in self.env.cr.fetchall():
            overdue = max(0.0, min(overdue, total - disputed))
            summary["total"] += total
            summary["overdue"] += overdue
            summary["over_90"] += max(0.0, min(over_90, overdue))
            summary["disputed"] += disputed
            summary["overdue_customers"] += overdue > 0.005
        return summary

    @api.model
    def _overdue_figures_query(self, today, companies, where=None):
        """The one definition of a customer's overdue figures, per (partner_id, company_id): the
        worklist, the customer form and the Customers' Credit list all read it.

        overdue = Σ residual of the open receivable items due before `today` (due date, or the
        item's date without one), credit notes and unapplied payments included on their own dates
        (they net the figure), items of disputed invoices left out and counted apart. Columns:
        open_amount, overdue_amount, overdue_count (invoices), oldest_overdue_days, oldest_due,
        oldest_move_id, dispute_amount, dispute_count, has_debit (something is owed)."""
        items = self._items_query(as_of=today, companies=companies, where=where)
        late = SQL("(COALESCE(i.date_maturity, i.date) < %s AND NOT i.disputed)", today)
        late_debit = SQL("(%s AND i.residual > 0)", late)
        return SQL(
            """
            SELECT i.partner_id,
                   i.company_id,
                   SUM(i.residual) AS open_amount,
                   COALESCE(SUM(i.residual) FILTER (WHERE %(late)s), 0) AS overdue_amount,
                   COUNT(DISTINCT i.move_id) FILTER (WHERE %(late_debit)s) AS overdue_count,
                   COALESCE(MAX(%(today)s::date - COALESCE(i.date_maturity, i.date)) FILTER (WHERE %(late_debit)s), 0)
                       AS oldest_overdue_days,
                   MIN(COALESCE(i.date_maturity, i.date)) FILTER (WHERE %(late_debit)s) AS oldest_due,
                   (ARRAY_AGG(i.move_id ORDER BY COALESCE(i.date_maturity, i.date), i.move_id)
                       FILTER (WHERE %(late_debit)s))[1] AS oldest_move_id,
                   COALESCE(SUM(i.residual) FILTER (WHERE i.disputed), 0) AS dispute_amount,
                   COUNT(DISTINCT i.move_id) FILTER (WHERE i.disputed) AS dispute_count,
                   BOOL_OR(i.residual > 0) AS has_debit
              FROM (%(items)s) i
             WHERE i.partner_id IS NOT NULL
             GROUP BY i.partner_id, i.company_id
            """,
            late=late,
            late_debit=late_debit,
            today=today,
            items=items,
        )

    @api.model
    def _overdue_figures(self, partners, company, today=None):
        """{commercial partner id: dict of `_overdue_figures_query`'s columns} in `company`."""
        today = today or fields.Date.context_today(self)
        partner_ids = partners.commercial_partner_id.ids
        if not partner_ids:
            return {}
        self.env.flush_all()
        where = SQL(
            "aml.partner_id IN (SELECT cust.id FROM res_partner cust WHERE cust.commercial_partner_id = ANY(%s))",
            partner_ids,
        )
        self.env.cr.execute(self.sudo()._overdue_figures_query(today, company, where))
        return {row["partner_id"]: row for row in self.env.cr.dictfetchall()}

    @api.model
    @api.readonly
    def get_ledger_balance(self, as_of=None, companies=None):
        """Balance of the receivable accounts in the general ledger at `as_of` (the tie-out)."""
        self._check_reader()
        as_of, _basis, _set, companies = self._params(as_of, companies=companies)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(aml.balance), 0)
                  FROM account_move_line aml
                  JOIN account_account acc ON acc.id = aml.account_id
                 WHERE %s
                   AND aml.company_id = ANY(%s)
                   AND aml.date <= %s
                """,
                self._receivable_item_sql(),
                list(companies.ids),
                as_of,
            )
        )
        return self.env.cr.fetchone()[0]
