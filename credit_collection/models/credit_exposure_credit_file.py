"""Figures of the credit file read by the exposure statement itself, so that the order-time check
stays one query per company whatever the customer's history:

- ``grade``: the customer's grade in the company and its trading conditions (an ExposureGrade),
  with the overdue figures measured against the grade's own tolerance when it has one;
- ``guarantee_secured``: valid guarantees of the types that secure credit (raise the limit);
- ``guarantee_total``: every valid guarantee (covers the grade's "guarantee required above");
- ``base_limit``: the limit before guarantees and temporary increases raise it;
- ``prepaid``: {order id: online payments (authorized or done) of the orders being checked};
- ``prepaid_open``: the same, for payments not posted yet. Once posted, a payment is an unapplied
  credit in the open receivables: deducting it from the order too would count it twice;
- ``temporary_limit`` / ``temporary_until``: temporary limit increases running today, added to the
  limit; they lapse by date, with no job to remove them.
The grade is the ordering company's own (grades and their conditions belong to a company); the
figures are pooled like the exposure (``family``: the company's root and its branches): the grade's
overdue amounts read the pooled receivables, and guarantees and temporary increases registered in
any company of the pool raise the pooled limit, which is the root's.
Guarantees and temporary increases count from their first to their last day inclusive, in company
currency.
"""

import datetime
from dataclasses import dataclass

from odoo import api, models
from odoo.tools import SQL

from .credit_exposure import ExposureField


@dataclass
class ExposureGrade:
    """The customer's grade in the ordering company, as the exposure statement reads it."""

    id: int
    name: str
    term_days: int  # longest payment term allowed, in days (0: no condition)
    prepayment: float  # percent of the order to be paid before confirmation (0: none)
    own_tolerance: bool  # the grade's overdue tolerance replaces the company's
    tolerance: int  # that tolerance, in days
    guarantee_above: float  # exposure above which a guarantee is required (0: never)
    review_months: int  # the limit is stale after this many months without a change
    late_amount: float  # residual overdue beyond the grade's own tolerance
    late_due: datetime.date | None  # its oldest due date
    late_move: str | None  # the name of its oldest item

    @classmethod
    def from_json(cls, values):
        late_due = values.get("late_due")
        return cls(**{**values, "late_due": datetime.date.fromisoformat(late_due) if late_due else None})


def _by_order(values):
    return {int(order_id): float(amount) for order_id, amount in values.items()}


class CreditExposure(models.AbstractModel):
    _inherit = "credit.exposure"

    @api.model
    def _exposure_fields(self, company, exclude_order_ids, today):
        declared = super()._exposure_fields(company, exclude_order_ids, today)
        in_use = self._exposure_features(company.id)
        # Only the columns of features in use (see _exposure_features): the others keep their default,
        # which is what their column would read when no record of the feature exists. Their SQL is
        # not even built: this runs at every order check, and most companies use none of them.
        grade = self._exposure_grade_sql(company, today, in_use) if "grade" in in_use else None
        guarantee_secured = guarantee_total = temporary_limit = temporary_until = None
        if "guarantee" in in_use:
            guarantees = SQL(
                """
               FROM credit_guarantee gu
               JOIN credit_guarantee_type gt ON gt.id = gu.type_id
              WHERE gu.partner_id = p.id
                AND gu.company_id IN (SELECT id FROM family)
                AND gu.active
                AND gu.date_from <= %(today)s
                AND (gu.date_to IS NULL OR gu.date_to >= %(today)s)
                """,
                today=today,
            )
            guarantee_secured = SQL("(SELECT SUM(gu.amount_company) FILTER (WHERE gt.secures_credit) %s)", guarantees)
            guarantee_total = SQL("(SELECT SUM(gu.amount_company) %s)", guarantees)
        if "temporary" in in_use:
            temporary = SQL(
                """
               FROM credit_limit_temporary t
              WHERE t.partner_id = p.id
                AND t.company_id IN (SELECT id FROM family)
                AND t.active
                AND t.date_from <= %(today)s
                AND t.date_to >= %(today)s
                """,
                today=today,
            )
            temporary_limit = SQL("(SELECT SUM(t.amount) %s)", temporary)
            temporary_until = SQL("(SELECT MIN(t.date_to) %s)", temporary)
        prepaid = prepaid_open = None
        if exclude_order_ids and "paid_online" in in_use:
            # paid online per order (authorised or done transactions): all of it, and the part not yet
            # posted as a payment (a posted payment already lowers the open receivables)
            prepaid = self._paid_online_sql(exclude_order_ids)
            prepaid_open = self._paid_online_sql(
                exclude_order_ids,
                SQL(
                    """AND NOT EXISTS (SELECT 1
                                         FROM account_payment ap
                                         JOIN account_move pm ON pm.id = ap.move_id
                                        WHERE ap.id = tx.payment_id AND pm.state = 'posted')"""
                ),
            )
        return [
            *declared,
            ExposureField("grade", sql=grade, parse=ExposureGrade.from_json),
            ExposureField("guarantee_secured", 0.0, sql=guarantee_secured, parse=float),
            ExposureField("guarantee_total", 0.0, sql=guarantee_total, parse=float),
            ExposureField("base_limit", 0.0),
            ExposureField("prepaid", sql=prepaid, parse=_by_order, factory=dict),
            ExposureField("prepaid_open", sql=prepaid_open, parse=_by_order, factory=dict),
            ExposureField("temporary_limit", 0.0, sql=temporary_limit, parse=float),
            ExposureField("temporary_until", sql=temporary_until),
        ]

    @api.model
    def _exposure_grade_sql(self, company, today, in_use):
        """The customer's grade in `company` and its conditions, as one JSON column."""
        # the grade's own tolerance: its overdue items are read only when a grade of the company has one
        if "grade_tolerance" in in_use:
            late = SQL(
                """
               LEFT JOIN LATERAL (
                    SELECT SUM(aml.amount_residual) AS amount,
                           MIN(COALESCE(aml.date_maturity, aml.date)) AS due,
                           (ARRAY_AGG(aml.move_name ORDER BY COALESCE(aml.date_maturity, aml.date), aml.id))[1]
                               AS move
                      FROM res_partner lp
                      JOIN account_move_line aml ON aml.partner_id = lp.id
                      JOIN account_account acc ON acc.id = aml.account_id
                     WHERE g.own_overdue_tolerance
                       AND lp.commercial_partner_id = p.id
                       AND aml.company_id IN (SELECT id FROM family)
                       AND aml.parent_state = 'posted'
                       AND aml.reconciled IS NOT TRUE
                       AND acc.account_type = 'asset_receivable'
                       AND aml.amount_residual > 0
                       AND COALESCE(aml.date_maturity, aml.date) < %(today)s::date - g.overdue_tolerance_days
               ) late ON TRUE
                """,
                today=today,
            )
            late_values = SQL("COALESCE(late.amount, 0), 'late_due', late.due, 'late_move', late.move")
        else:
            late, late_values = SQL(""), SQL("0, 'late_due', NULL, 'late_move', NULL")
        return SQL(
            """
            (SELECT jsonb_build_object(
                        'id', g.id, 'name', g.name,
                        'term_days', g.max_payment_term_days,
                        'prepayment', g.prepayment_percent,
                        'own_tolerance', COALESCE(g.own_overdue_tolerance, FALSE),
                        'tolerance', g.overdue_tolerance_days,
                        'guarantee_above', g.guarantee_above_amount,
                        'review_months', g.review_interval_months,
                        'late_amount', %(late_values)s)
               FROM credit_grade g
               %(late)s
              WHERE g.id = (p.credit_grade_id ->> %(company_key)s)::int
                AND g.active)
            """,
            company_key=str(company.id),
            late=late,
            late_values=late_values,
        )

    @api.model
    def _exposure_features_compute(self, company):
        features = super()._exposure_features_compute(company)
        for model in ("res.partner", "credit.grade", "credit.guarantee", "credit.limit.temporary"):
            self.env[model].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH family AS (
                    SELECT f.id
                      FROM res_company f
                      JOIN res_company c ON SPLIT_PART(c.parent_path, '/', 1) = SPLIT_PART(f.parent_path, '/', 1)
                     WHERE c.id = %(company_id)s
                )
                SELECT EXISTS (SELECT 1 FROM res_partner WHERE credit_grade_id ->> %(company_key)s IS NOT NULL),
                       EXISTS (SELECT 1 FROM credit_grade WHERE company_id = %(company_id)s AND own_overdue_tolerance),
                       EXISTS (SELECT 1 FROM credit_guarantee WHERE company_id IN (SELECT id FROM family)),
                       EXISTS (SELECT 1 FROM credit_limit_temporary WHERE company_id IN (SELECT id FROM family)),
                       EXISTS (SELECT 1 FROM payment_transaction)
                """,
                company_id=company.id,
                company_key=str(company.id),
            )
        )
        names = ("grade", "grade_tolerance", "guarantee", "temporary", "paid_online")
        return features | {name for name, used in zip(names, self.env.cr.fetchone(), strict=True) if used}

    @api.model
    def _paid_online_sql(self, order_ids, condition=None):
        """{order id: amount paid online in company currency} of the orders being checked (alias `p`:
        the commercial partner), NULL when no order is checked."""
        if not order_ids:
            return SQL("NULL::jsonb")
        return SQL(
            """
            (SELECT jsonb_object_agg(t.order_id, t.paid)
               FROM (SELECT so.id AS order_id,
                            SUM(tx.amount / COALESCE(NULLIF(so.currency_rate, 0), 1)) AS paid
                       FROM sale_order so
                       JOIN res_partner ip ON ip.id = so.partner_invoice_id
                       JOIN sale_order_transaction_rel rel ON rel.sale_order_id = so.id
                       JOIN payment_transaction tx ON tx.id = rel.transaction_id
                      WHERE so.id = ANY(%(order_ids)s)
                        AND ip.commercial_partner_id = p.id
                        AND tx.state IN ('authorized', 'done')
                        %(condition)s
                      GROUP BY so.id) t)
            """,
            order_ids=list(order_ids),
            condition=condition or SQL(""),
        )

    @api.model
    def _get_exposures(self, partners, company, exclude_orders=None, today=None, lock=False):
        # the statement reads these tables too: the engine flushes every pending ORM write first
        result = super()._get_exposures(partners, company, exclude_orders=exclude_orders, today=today, lock=lock)
        prepay = company.credit_no_limit_policy == "prepay"
        for exp in result.values():
            exp.guarantee_secured = exp.currency.round(exp.guarantee_secured)
            exp.guarantee_total = exp.currency.round(exp.guarantee_total)
            exp.base_limit = exp.limit
            # Guarantees raise a limit; they do not create one where there is none (0 = unlimited).
            if exp.has_limit:
                exp.limit = exp.currency.round(exp.limit + exp.guarantee_secured)
            increase = exp.temporary_limit = exp.currency.round(exp.temporary_limit)
            # An increase raises a limit. Where "no limit" means no credit, it is the only credit the
            # customer has; where it means unlimited, there is nothing to raise.
            if increase and (exp.has_limit or prepay):
                exp.limit = exp.currency.round(exp.limit + increase)
        return result
