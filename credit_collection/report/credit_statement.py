"""Customer statement (对账单): for each customer (commercial partner) and period, the opening
balance, the period's invoices, refunds and payments with a running balance, the closing balance,
and the items still open at the end of the period with their age and an aging summary.

Every figure comes from posted items on receivable accounts: opening balance = ledger balance
before the period; closing = opening + movements = the aging engine's total at the end date (they
tie out, as the engine proves). A customer whose receivable items are all in one foreign currency
gets its statement in that currency (what its invoices say), with the company-currency balance
beside it; otherwise the statement is in company currency."""

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
             WHERE %s
               AND aml.company_id = %s AND pa.commercial_partner_id = %s
            """,
            self.env["credit.aging.engine"]._receivable_item_sql(),
            company.id,
            partner.id,
        )
        # the statement's currency: the customer's one foreign currency, if all its items use it
        self.env.cr.execute(SQL("SELECT DISTINCT aml.currency_id %s AND aml.date <= %s", base, date_to))
        currencies = [row[0] for row in self.env.cr.fetchall()]
        foreign = len(currencies) == 1 and currencies[0] != cur.id
        st_cur = self.env["res.currency"].browse(currencies[0]) if foreign else cur
        amount = SQL("aml.amount_currency") if foreign else SQL("aml.balance")
        self.env.cr.execute(
            SQL(
                "SELECT COALESCE(SUM(%s), 0), COALESCE(SUM(aml.balance), 0) %s AND aml.date < %s",
                amount,
                base,
                date_from,
            )
        )
        opening, opening_company = self.env.cr.fetchone()
        self.env.cr.execute(
            SQL(
                """SELECT aml.id, aml.date, aml.move_name, aml.ref, aml.date_maturity, %s, aml.balance
                   %s AND aml.date BETWEEN %s AND %s ORDER BY aml.date, aml.id""",
                amount,
                base,
                date_from,
                date_to,
            )
        )
        movements = []
        running, running_company = opening, opening_company
        for _id, day, name, ref, due, balance, balance_company in self.env.cr.fetchall():
            running += balance
            running_company += balance_company
            movements.append(
                {
                    "date": day,
                    "name": name,
                    "ref": ref or "",
                    "due": due,
                    "debit": balance if balance > 0 else 0.0,
                    "credit": -balance if balance < 0 else 0.0,
                    "balance": st_cur.round(running),
                    "balance_company": cur.round(running_company),
                }
            )
        engine = self.env["credit.aging.engine"]
        as_of, basis, bucket_set, companies = engine._params(date_to, bucket_set=bucket_set, companies=company)
        items = engine.get_items(as_of, basis, bucket_set, companies, where=engine._customer_sql(partner))
        # named in the customer's language: the statement is written in it
        buckets = bucket_set.with_context(lang=partner.lang or self.env.lang).bucket_ids.sorted("sequence")
        aging = {b.id: 0.0 for b in buckets}
        open_key = "residual_currency" if foreign else "residual"
        for item in items:
            item["open"] = item[open_key]
            item["original"] = item["amount_currency"] if foreign else item["amount"]
            if item["bucket_id"] in aging:
                aging[item["bucket_id"]] += item["open"]
        moves = {m.id: m for m in self.env["account.move"].browse({i["move_id"] for i in items})}
        for item in items:
            item["move"] = moves[item["move_id"]]
        closing = st_cur.round(opening + sum(m["debit"] - m["credit"] for m in movements))
        return {
            "partner": partner,
            "company": company,
            "currency": st_cur,
            "company_currency": cur,
            "foreign": foreign,
            "date_from": date_from,
            "date_to": date_to,
            "opening": st_cur.round(opening),
            "opening_company": cur.round(opening_company),
            "movements": movements,
            "closing": closing,
            "closing_company": cur.round(running_company),
            "items": items,
            "buckets": buckets,
            "aging": {k: st_cur.round(v) for k, v in aging.items()},
            "open_total": st_cur.round(sum(i["open"] for i in items)),
            "open_total_company": cur.round(sum(i["residual"] for i in items)),
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
