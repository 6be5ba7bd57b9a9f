"""Order-time figures read by the exposure statement itself (no query per order):

- ``temporary_limit`` / ``temporary_until``: temporary limit increases running today (first and last
  day included), added to the limit; they lapse by date, with no job to remove them;
- ``prepaid_open``: {order id: online payments (authorized or done) of the orders being checked whose
  payment is not posted yet}. Once posted, a payment is an unapplied credit in the open receivables:
  counting it here too would count it twice.
"""

from odoo import api, models
from odoo.tools import SQL


class CreditExposure(models.AbstractModel):
    _inherit = "credit.exposure"

    @api.model
    def _exposure_extra_columns(self, company, exclude_order_ids, today):
        columns = super()._exposure_extra_columns(company, exclude_order_ids, today)
        temporary = SQL(
            """
            (SELECT jsonb_build_object('amount', SUM(t.amount), 'until', MIN(t.date_to))
               FROM credit_limit_temporary t
              WHERE t.partner_id = p.id
                AND t.company_id = %(company_id)s
                AND t.active
                AND t.date_from <= %(today)s
                AND t.date_to >= %(today)s)
            """,
            company_id=company.id,
            today=today,
        )
        if exclude_order_ids:
            prepaid_open = SQL(
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
                            AND NOT EXISTS (
                                SELECT 1
                                  FROM account_payment ap
                                  JOIN account_move pm ON pm.id = ap.move_id
                                 WHERE ap.id = tx.payment_id
                                   AND pm.state = 'posted')
                          GROUP BY so.id) t)
                """,
                order_ids=list(exclude_order_ids),
            )
        else:
            prepaid_open = SQL("NULL::jsonb")
        return [*columns, ("temporary", temporary), ("prepaid_open", prepaid_open)]

    @api.model
    def _get_exposures(self, partners, company, exclude_orders=None, today=None):
        for model in ("credit.limit.temporary", "account.payment"):
            self.env[model].flush_model()
        result = super()._get_exposures(partners, company, exclude_orders=exclude_orders, today=today)
        prepay = company.credit_no_limit_policy == "prepay"
        for exp in result.values():
            temporary = exp.extra.get("temporary") or {}
            amount = exp.currency.round(float(temporary.get("amount") or 0.0))
            exp.extra["temporary_limit"] = amount
            exp.extra["temporary_until"] = temporary.get("until")
            exp.extra["prepaid_open"] = {int(k): float(v) for k, v in (exp.extra.get("prepaid_open") or {}).items()}
            # An increase raises a limit. Where "no limit" means no credit, it is the only credit the
            # customer has; where it means unlimited, there is nothing to raise.
            if amount and (exp.has_limit or prepay):
                exp.limit = exp.currency.round(exp.limit + amount)
        return result
