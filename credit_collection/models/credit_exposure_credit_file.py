"""Figures of the credit file read by the exposure statement itself, so that the order-time check
stays one query per company whatever the customer's history:

- ``grade``: the customer's grade in the company and its trading conditions, with the overdue
  figures measured against the grade's own tolerance when it has one;
- ``guarantee_secured``: valid guarantees of the types that secure credit (raise the limit);
- ``guarantee_total``: every valid guarantee (covers the grade's "guarantee required above");
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

from odoo import api, models
from odoo.tools import SQL


class CreditExposure(models.AbstractModel):
    _inherit = "credit.exposure"

    @api.model
    def _exposure_extra_columns(self, company, exclude_order_ids, today):
        columns = super()._exposure_extra_columns(company, exclude_order_ids, today)
        company_key = str(company.id)
        grade = SQL(
            """
            (SELECT jsonb_build_object(
                        'id', g.id, 'name', g.name,
                        'term_days', g.max_payment_term_days,
                        'prepayment', g.prepayment_percent,
                        'own_tolerance', COALESCE(g.own_overdue_tolerance, FALSE),
                        'tolerance', g.overdue_tolerance_days,
                        'guarantee_above', g.guarantee_above_amount,
                        'review_months', g.review_interval_months,
                        'late_amount', COALESCE(late.amount, 0),
                        'late_due', late.due,
                        'late_move', late.move)
               FROM credit_grade g
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
              WHERE g.id = (p.credit_grade_id ->> %(company_key)s)::int
                AND g.active)
            """,
            company_key=company_key,
            today=today,
        )
        guarantee = SQL(
            """
            (SELECT jsonb_build_object(
                        'secured', COALESCE(SUM(gu.amount_company) FILTER (WHERE gt.secures_credit), 0),
                        'total', COALESCE(SUM(gu.amount_company), 0))
               FROM credit_guarantee gu
               JOIN credit_guarantee_type gt ON gt.id = gu.type_id
              WHERE gu.partner_id = p.id
                AND gu.company_id IN (SELECT id FROM family)
                AND gu.active
                AND gu.date_from <= %(today)s
                AND (gu.date_to IS NULL OR gu.date_to >= %(today)s))
            """,
            today=today,
        )
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
        temporary = SQL(
            """
            (SELECT jsonb_build_object('amount', SUM(t.amount), 'until', MIN(t.date_to))
               FROM credit_limit_temporary t
              WHERE t.partner_id = p.id
                AND t.company_id IN (SELECT id FROM family)
                AND t.active
                AND t.date_from <= %(today)s
                AND t.date_to >= %(today)s)
            """,
            today=today,
        )
        return [
            *columns,
            ("grade", grade),
            ("guarantee", guarantee),
            ("prepaid", prepaid),
            ("temporary", temporary),
            ("prepaid_open", prepaid_open),
        ]

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
    def _get_exposures(self, partners, company, exclude_orders=None, today=None):
        # the statement reads these tables too: make pending ORM writes visible to it first
        for model in (
            "credit.grade",
            "credit.guarantee",
            "credit.guarantee.type",
            "payment.transaction",
            "account.payment",
            "credit.limit.temporary",
        ):
            self.env[model].flush_model()
        result = super()._get_exposures(partners, company, exclude_orders=exclude_orders, today=today)
        prepay = company.credit_no_limit_policy == "prepay"
        for exp in result.values():
            grade = exp.extra.get("grade")
            if grade and grade.get("late_due"):
                grade["late_due"] = datetime.date.fromisoformat(grade["late_due"])
            guarantee = exp.extra.get("guarantee") or {}
            secured = exp.currency.round(float(guarantee.get("secured") or 0.0))
            exp.extra["guarantee_secured"] = secured
            exp.extra["guarantee_total"] = exp.currency.round(float(guarantee.get("total") or 0.0))
            exp.extra["prepaid"] = {int(k): float(v) for k, v in (exp.extra.get("prepaid") or {}).items()}
            exp.extra["base_limit"] = exp.limit
            # Guarantees raise a limit; they do not create one where there is none (0 = unlimited).
            if exp.has_limit:
                exp.limit = exp.currency.round(exp.limit + secured)
            exp.extra["prepaid_open"] = {int(k): float(v) for k, v in (exp.extra.get("prepaid_open") or {}).items()}
            temporary = exp.extra.get("temporary") or {}
            increase = exp.currency.round(float(temporary.get("amount") or 0.0))
            exp.extra["temporary_limit"] = increase
            exp.extra["temporary_until"] = temporary.get("until")
            # An increase raises a limit. Where "no limit" means no credit, it is the only credit the
            # customer has; where it means unlimited, there is nothing to raise.
            if increase and (exp.has_limit or prepay):
                exp.limit = exp.currency.round(exp.limit + increase)
        return result
