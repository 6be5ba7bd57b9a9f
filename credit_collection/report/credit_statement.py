"""Customer statement (对账单): for each customer (commercial partner) and period, the opening
balance, the period's invoices, refunds and payments with a running balance, the closing balance,
and the items still open at the end of the period with their age and an aging summary.

Every figure is in company currency and comes from posted items on receivable accounts: opening
balance = ledger balance before the period; closing = opening + movements = the aging engine's
total at the end date (they tie out, as the engine proves)."""

from odoo import api, fields, models
from odoo.tools import SQL, date_utils


class CreditStatementReport(models.AbstractModel):
    _name = "report.credit_collection.report_credit_statement"
    _description = "Customer statement"

    @api.model
    def _dates(self, data):
        data = data or {}
        today = fields.Date.context_today(self)
        date_to = fields.Date.to_date(data.get("date_to")) or today
        date_from = fields.Date.to_date(data.get("date_from")) or date_utils.start_of(date_to, "month")
        return date_from, date_to

    @api.model
    def _statement(self, partner, company, date_from, date_to, bucket_set=None):
        partner = partner.commercial_partner_id
        cur = company.currency_id
        self.env.flush_all()
        base = SQL(
            """
              FROM account_move_line aml
              JOIN account_account acc ON acc.id = aml.account_id
              JOIN res_partner pa ON pa.id = aml.partner_id
             WHERE aml.parent_state = 'posted' AND acc.account_type = 'asset_receivable'
               AND aml.company_id = %s AND pa.commercial_partner_id = %s
            """,
            company.id,
            partner.id,
        )
        self.env.cr.execute(SQL("SELECT COALESCE(SUM(aml.balance), 0) %s AND aml.date < %s", base, date_from))
        opening = self.env.cr.fetchone()[0]
        self.env.cr.execute(
            SQL(
                """SELECT aml.id, aml.date, aml.move_name, aml.ref, aml.date_maturity, aml.balance
                   %s AND aml.date BETWEEN %s AND %s ORDER BY aml.date, aml.id""",
                base,
                date_from,
                date_to,
            )
        )
        movements = []
        running = opening
        for _id, day, name, ref, due, balance in self.env.cr.fetchall():
            running += balance
            movements.append(
                {
                    "date": day,
                    "name": name,
                    "ref": ref or "",
                    "due": due,
                    "debit": balance if balance > 0 else 0.0,
                    "credit": -balance if balance < 0 else 0.0,
                    "balance": cur.round(running),
                }
            )
        engine = self.env["credit.aging.engine"]
        as_of, basis, bucket_set, companies = engine._params(date_to, bucket_set=bucket_set, companies=company)
        items = engine.get_items(as_of, basis, bucket_set, companies, where=engine._customer_sql(partner))
        buckets = bucket_set.bucket_ids.sorted("sequence")
        aging = {b.id: 0.0 for b in buckets}
        for item in items:
            if item["bucket_id"] in aging:
                aging[item["bucket_id"]] += item["residual"]
        moves = {m.id: m for m in self.env["account.move"].browse({i["move_id"] for i in items})}
        for item in items:
            item["move"] = moves[item["move_id"]]
        closing = cur.round(opening + sum(m["debit"] - m["credit"] for m in movements))
        return {
            "partner": partner,
            "company": company,
            "currency": cur,
            "date_from": date_from,
            "date_to": date_to,
            "opening": cur.round(opening),
            "movements": movements,
            "closing": closing,
            "items": items,
            "buckets": buckets,
            "aging": {k: cur.round(v) for k, v in aging.items()},
            "open_total": cur.round(sum(i["residual"] for i in items)),
        }

    @api.model
    def _get_report_values(self, docids, data=None):
        self.env["credit.aging.engine"]._check_reader()
        date_from, date_to = self._dates(data)
        company = self.env.company
        bucket_set = None
        if data and data.get("bucket_set_id"):
            bucket_set = self.env["credit.aging.bucket.set"].browse(data["bucket_set_id"])
        # The web client sends the wizard's options without ids (see the wizard's ``_data``).
        if not docids and data and data.get("partner_ids"):
            docids = [int(pid) for pid in data["partner_ids"]]
        partners = self.env["res.partner"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners,
            "statements": [self._statement(p, company, date_from, date_to, bucket_set) for p in partners],
        }
