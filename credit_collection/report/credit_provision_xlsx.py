"""XLSX export of a provision run: the matrix (one row per bucket / specific provision, allowance
as a formula), the reconciliation with the allowance account, and the items it rests on."""

import io
from urllib.parse import urlencode

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from odoo import api, fields, models
from odoo.tools import SQL

from .xlsx_formats import DATE_FORMAT, money_format


class CreditProvisionXlsx(models.AbstractModel):
    _name = "credit.provision.xlsx"
    _description = "Provision run XLSX export"

    @api.model
    def _action(self, run):
        """Download through the controller: the file is built per request and never stored."""
        # The download may be served by a read replica: the link carries the run's last write as the
        # primary has it (this button runs on the primary), so a replica that lags behind a
        # recomputation hands the request back to the primary instead of exporting the old figures.
        written = fields.Datetime.to_string(run.write_date)
        return {
            "type": "ir.actions.act_url",
            "url": f"/credit_collection/provision/{run.id}/xlsx?{urlencode({'written': written})}",
            "target": "self",
        }

    @api.model
    def _file(self, run):
        """The workbook's bytes and its file name."""
        return self._generate(run), f"provision_{run.period}.xlsx"

    @api.model
    def _generate(self, run):
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"in_memory": True})
        places = run.currency_id.decimal_places
        money = money_format(run.currency_id)
        date_fmt = book.add_format({"num_format": DATE_FORMAT})
        head = book.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1})
        bold = book.add_format({"bold": True})
        num = book.add_format({"num_format": money})
        num_bold = book.add_format({"num_format": money, "bold": True, "top": 1})
        pct = book.add_format({"num_format": "0.00##"})

        sheet = book.add_worksheet(self.env._("Matrix"))
        sheet.write(0, 0, run.name, bold)
        sheet.write(1, 0, run.company_id.name)
        sheet.write_datetime(1, 1, run.date, date_fmt)
        headers = [
            self.env._("Bucket / specific"),
            self.env._("Open amount"),
            self.env._("Rate (%)"),
            self.env._("Historical rate (%)"),
            self.env._("Required allowance"),
        ]
        sheet.write_row(3, 0, headers, head)
        sheet.freeze_panes(4, 1)
        sheet.set_column(0, 0, 36)
        sheet.set_column(1, 4, 18)
        row = 4
        for line in run.line_ids:
            sheet.write(row, 0, line.name)
            sheet.write_number(row, 1, line.balance, num)
            sheet.write_number(row, 2, line.rate, pct)
            if line.bucket_id and line.suggested_rate:
                sheet.write_number(row, 3, line.suggested_rate, pct)
            b, r = xl_rowcol_to_cell(row, 1), xl_rowcol_to_cell(row, 2)
            sheet.write_formula(row, 4, f"=ROUND(MAX({b},0)*{r}/100,{places})", num, line.allowance)
            row += 1
        first, last = 4, max(row - 1, 4)
        sheet.write(row, 0, self.env._("Total"), bold)
        # formulas carry their computed value: viewers that do not recalculate show it, not 0
        for col, value in ((1, sum(run.line_ids.mapped("balance"))), (4, run.required_amount)):
            top, bottom = xl_rowcol_to_cell(first, col), xl_rowcol_to_cell(last, col)
            sheet.write_formula(row, col, f"=SUM({top}:{bottom})", num_bold, run.currency_id.round(value))
        required_cell = xl_rowcol_to_cell(row, 4)
        row += 2
        sheet.write(row, 0, self.env._("Allowance balance at the date"))
        sheet.write_number(row, 4, run.balance_amount, num)
        balance_cell = xl_rowcol_to_cell(row, 4)
        row += 1
        sheet.write(row, 0, self.env._("Adjustment (charge > 0, release < 0)"), bold)
        sheet.write_formula(row, 4, f"={required_cell}-{balance_cell}", num_bold, run.adjustment_amount)
        row += 2
        sheet.write(row, 0, self.env._("Roll-forward of the month"), bold)
        for label, value in (
            (self.env._("Opening"), run.opening_amount),
            (self.env._("Charge / release"), run.charge_amount),
            (self.env._("Write-offs"), -run.write_off_amount),
            (self.env._("Recoveries"), run.recovery_amount),
        ):
            row += 1
            sheet.write(row, 0, label)
            sheet.write_number(row, 4, value, num)
        row += 1
        sheet.write(row, 0, self.env._("Closing"), bold)
        top, bottom = xl_rowcol_to_cell(row - 4, 4), xl_rowcol_to_cell(row - 1, 4)
        sheet.write_formula(row, 4, f"=SUM({top}:{bottom})", num_bold, run.closing_amount)

        detail = book.add_worksheet(self.env._("Items"))
        cols = [
            self.env._("Customer"),
            self.env._("Journal item"),
            self.env._("Due date"),
            self.env._("Age"),
            self.env._("Bucket"),
            self.env._("Open amount"),
            self.env._("Rate (%)"),
            self.env._("Allowance"),
        ]
        detail.write_row(0, 0, cols, head)
        detail.freeze_panes(1, 0)
        detail.set_column(0, 1, 28)
        detail.set_column(2, 7, 14)
        grade_rates = run._grade_rates()
        names = {b.id: b.name for b in run.bucket_set_id.bucket_ids}
        items = run._items()
        partners = self.env["res.partner"].browse({i["partner_id"] for i in items if i["partner_id"]})
        partner_names = {p.id: p.display_name for p in partners}
        # names in one query: reading 50 000 journal items through the ORM costs seconds
        line_names = dict(
            self.env.execute_query(
                SQL("SELECT id, move_name FROM account_move_line WHERE id = ANY(%s)", [i["id"] for i in items])
            )
        )
        for row, item in enumerate(items, start=1):
            spec = item["specific"]
            detail.write(row, 0, partner_names.get(item["partner_id"], ""))
            detail.write(row, 1, line_names.get(item["id"], ""))
            detail.write_datetime(row, 2, item["date_maturity"] or item["date"], date_fmt)
            detail.write_number(row, 3, item["age"])
            detail.write(row, 4, self.env._("Specific") if spec else names.get(item["bucket_id"], ""))
            detail.write_number(row, 5, item["residual"], num)
            detail.write_number(row, 6, run._item_rate(item, grade_rates), pct)
            a, r = xl_rowcol_to_cell(row, 5), xl_rowcol_to_cell(row, 6)
            rate = run._item_rate(item, grade_rates)
            detail.write_formula(row, 7, f"={a}*{r}/100", num, item["residual"] * rate / 100)
        total = len(items) + 1
        detail.write(total, 0, self.env._("Total"), bold)
        top, bottom = xl_rowcol_to_cell(1, 5), xl_rowcol_to_cell(max(total - 1, 1), 5)
        value = run.currency_id.round(sum(item["residual"] for item in items))
        detail.write_formula(total, 5, f"=SUBTOTAL(9,{top}:{bottom})", num_bold, value)
        book.close()
        return output.getvalue()
