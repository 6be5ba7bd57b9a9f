"""XLSX export of the aging (XlsxWriter, shipped with Odoo): a summary sheet (one row per group,
one column per bucket, totals as formulas) and a detail sheet (one row per open item).

The detail can hold hundreds of thousands of items: they are read through a server-side cursor a
batch at a time and written in XlsxWriter's constant-memory mode to a file, so the export's memory
does not grow with the number of items."""

import tempfile
import uuid

import xlsxwriter

from odoo import api, models
from odoo.tools import SQL

from .xlsx_formats import DATE_FORMAT, money_format


class CreditAgingXlsx(models.AbstractModel):
    _name = "credit.aging.xlsx"
    _description = "Aging XLSX export"

    @api.model
    def _generate(self, wizard):
        """The whole file as bytes (tests and small exports); the download route streams `_write`'s file."""
        with tempfile.TemporaryFile() as output:
            self._write(wizard, output)
            output.seek(0)
            return output.read()

    @api.model
    def _write(self, wizard, output):
        """Write the workbook into the binary file `output`."""
        lines, buckets, column_totals, total = wizard._summary()
        # rows go to temporary files as they are written, row by row (each sheet is written in order)
        book = xlsxwriter.Workbook(output, {"constant_memory": True})
        currency = self.env.company.currency_id
        money = money_format(currency)
        bold = book.add_format({"bold": True})
        head = book.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1, "text_wrap": True})
        num = book.add_format({"num_format": money})
        num_bold = book.add_format({"num_format": money, "bold": True, "top": 1})
        num_plain = book.add_format({"num_format": money_format(currency, symbol=False)})
        date_fmt = book.add_format({"num_format": DATE_FORMAT})
        group_label = dict(wizard._fields["groupby"]._description_selection(self.env))[wizard.groupby]

        # --- summary
        sheet = book.add_worksheet(self.env._("Summary"))
        # the same date format as the date cells (yyyy-mm-dd), not the language's
        sheet.write(0, 0, self.env._("Aging at %(date)s", date=wizard.date.isoformat()), bold)
        sheet.write(1, 0, wizard.bucket_set_id.name)
        header_row = 3
        headers = [group_label] + [b.name for b in buckets] + [self.env._("Total")]
        sheet.write_row(header_row, 0, headers, head)
        sheet.freeze_panes(header_row + 1, 1)
        sheet.set_column(0, 0, 36)
        sheet.set_column(1, len(headers) - 1, 14)
        row = header_row + 1
        for group, amounts, line_total in lines:
            sheet.write(row, 0, group.display_name or self.env._("(none)"))
            for col, bucket in enumerate(buckets, start=1):
                sheet.write_number(row, col, amounts.get(bucket.id, 0.0), num)
            last = xlsxwriter.utility.xl_rowcol_to_cell(row, len(buckets))
            first = xlsxwriter.utility.xl_rowcol_to_cell(row, 1)
            sheet.write_formula(row, len(buckets) + 1, f"=SUM({first}:{last})", num, line_total)
            row += 1
        sheet.write(row, 0, self.env._("Total"), bold)
        # formulas carry their computed value: viewers that do not recalculate show it, not 0
        values = [column_totals.get(bucket.id, 0.0) for bucket in buckets] + [total]
        for col, value in enumerate(values, start=1):
            top = xlsxwriter.utility.xl_rowcol_to_cell(header_row + 1, col)
            bottom = xlsxwriter.utility.xl_rowcol_to_cell(max(row - 1, header_row + 1), col)
            sheet.write_formula(row, col, f"=SUM({top}:{bottom})", num_bold, value)

        # --- detail
        detail = book.add_worksheet(self.env._("Detail"))
        columns = [
            self.env._("Customer"),
            self.env._("Entry"),
            self.env._("Date"),
            self.env._("Due date"),
            self.env._("Age"),
            self.env._("Bucket"),
            self.env._("Salesperson"),
            self.env._("Currency"),
            self.env._("Original (currency)"),
            self.env._("Open (currency)"),
            self.env._("Original amount"),
            self.env._("Open amount"),
            self.env._("Disputed"),
        ]
        detail.write_row(0, 0, columns, head)
        detail.freeze_panes(1, 0)
        detail.set_column(0, 1, 28)
        detail.set_column(2, 12, 14)
        row = 0
        sums = {"amount": 0.0, "residual": 0.0}
        for row, item in enumerate(self._detail_rows(wizard), start=1):
            sums["amount"] += item["amount"]
            sums["residual"] += item["residual"]
            detail.write_string(row, 0, item["partner"])
            detail.write_string(row, 1, item["move"])
            if item["date"]:
                detail.write_datetime(row, 2, item["date"], date_fmt)
            if item["date_maturity"]:
                detail.write_datetime(row, 3, item["date_maturity"], date_fmt)
            detail.write_number(row, 4, item["age"])
            detail.write_string(row, 5, item["bucket"])
            detail.write_string(row, 6, item["user"])
            detail.write_string(row, 7, item["currency"])
            detail.write_number(row, 8, item["amount_currency"], num_plain)
            detail.write_number(row, 9, item["residual_currency"], num_plain)
            detail.write_number(row, 10, item["amount"], num)
            detail.write_number(row, 11, item["residual"], num)
            if item["disputed"]:
                detail.write_string(row, 12, self.env._("Yes"))
        total_row = row + 1
        detail.write(total_row, 0, self.env._("Total"), bold)
        for col, key in ((10, "amount"), (11, "residual")):
            top = xlsxwriter.utility.xl_rowcol_to_cell(1, col)
            bottom = xlsxwriter.utility.xl_rowcol_to_cell(max(total_row - 1, 1), col)
            detail.write_formula(total_row, col, f"=SUBTOTAL(9,{top}:{bottom})", num_bold, currency.round(sums[key]))
        book.close()

    @api.model
    def _detail_rows(self, wizard, batch_size=2000):
        """The wizard's items (same domain as its views) as plain dicts with the names to print,
        yielded one batch at a time.

        One statement for all items (the report's ORM search, selected as raw columns), read through
        a server-side cursor `batch_size` rows at a time; per batch one lookup of the entries' names,
        and the names of customers, buckets, salespeople and currencies read once each. Reading the
        report records field by field would re-run the aging statement once per prefetch batch;
        fetching every row at once would hold them all in memory."""
        report = wizard._report()
        columns = [
            "partner_id",
            "move_id",
            "date",
            "date_maturity",
            "age",
            "bucket_id",
            "user_id",
            "currency_id",
            "amount_currency",
            "residual_currency",
            "amount",
            "residual",
            "disputed",
        ]
        query = report._search(wizard._report_domain(), order="partner_id, age desc, id")
        sql = query.select(*(SQL.identifier(report._table, c) for c in columns))
        self.env.flush_query(sql)
        # (column, model, field to print): each record's name read once, with the others of its batch
        named = [
            ("partner_id", "res.partner", "display_name"),
            ("bucket_id", "credit.aging.bucket", "name"),
            ("user_id", "res.users", "name"),
            ("currency_id", "res.currency", "name"),
        ]
        names = {model: {} for _column, model, _field in named}

        def learn_names(rows):
            for column, model, field in named:
                known = names[model]
                new_ids = {r[column] for r in rows if r[column] and r[column] not in known}
                for record in self.env[model].browse(new_ids):
                    known[record.id] = record[field] or ""

        # a named cursor on the request's own connection: same transaction and snapshot
        cursor = self.env.cr._cnx.cursor(f"credit_aging_xlsx_{uuid.uuid4().hex}")
        try:
            cursor.execute(sql.code, sql.params)
            while batch := cursor.fetchmany(batch_size):
                rows = [dict(zip(columns, values, strict=True)) for values in batch]
                moves = dict(
                    self.env.execute_query(
                        SQL("SELECT id, name FROM account_move WHERE id = ANY(%s)", [r["move_id"] for r in rows])
                    )
                )
                learn_names(rows)
                for r in rows:
                    r["partner"] = names["res.partner"].get(r["partner_id"], "")
                    r["move"] = moves.get(r["move_id"]) or ""
                    r["bucket"] = names["credit.aging.bucket"].get(r["bucket_id"], "")
                    r["user"] = names["res.users"].get(r["user_id"], "")
                    r["currency"] = names["res.currency"].get(r["currency_id"], "")
                    for key in ("amount_currency", "residual_currency", "amount", "residual"):
                        r[key] = r[key] or 0.0
                yield from rows
        finally:
            cursor.close()
