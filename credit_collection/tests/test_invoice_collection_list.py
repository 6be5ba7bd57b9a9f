from freezegun import freeze_time

from odoo.tests import tagged

from .collection_common import CollectionCommon, day


@tagged("post_install", "-at_install")
class TestInvoiceCollectionList(CollectionCommon):
    """ "Invoices in Collection" sorts by the predicted payment date and groups by collector in the
    database, over every open invoice (not page by page): the predicted date has an SQL expression
    equal to its compute."""

    def test_sort_and_group_by_predicted_date_and_collector(self):
        # the customer pays 10 days late (history); customer2 shares its grade; customer3 has neither
        with freeze_time(day(-100)):
            paid = self._invoice(1000.0, invoice_date=day(-130), due_date=day(-100))
        with freeze_time(day(-90)):
            self._pay(paid, 1000.0)
        grade = (
            self.env["credit.grade"]
            .with_company(self.company)
            .create({"name": "B", "score_min": 0, "company_id": self.company.id})
        )
        for partner in (self.customer, self.customer2):
            partner.with_company(self.company).credit_grade_id = grade
        customer3 = self.env["res.partner"].create({"name": "cct Third", "is_company": True})
        self.company.collection_default_days_late = 3
        moves = self.env["account.move"]
        for i in range(6):
            moves |= self._due_invoice(100.0 + i, due=day(3 * i - 6))
            moves |= self._due_invoice(200.0 + i, partner=self.customer2, due=day(2 * i))
            moves |= self._due_invoice(300.0 + i, partner=customer3, due=day(i))
        domain = [("id", "in", moves.ids)]
        Move = self.env["account.move"].with_user(self.collector)
        with freeze_time(day(5)):
            for direction in ("asc", "desc"):
                found = Move.search(domain, order=f"collection_predicted_date {direction}, id")
                dates = [m.collection_predicted_date for m in found]
                self.assertEqual(dates, sorted(dates, reverse=direction == "desc"), direction)
            # the SQL expression gives the compute's date on every invoice (grouped by day)
            groups = Move.read_group(domain, ["amount_residual:sum"], ["collection_predicted_date:day"], lazy=False)
            by_date = {}
            for move in moves:
                by_date[move.collection_predicted_date] = by_date.get(move.collection_predicted_date, 0) + 1
            self.assertEqual(
                {g["__range"]["collection_predicted_date:day"]["from"]: g["__count"] for g in groups},
                {d.isoformat(): n for d, n in by_date.items()},
            )
            self.assertEqual(
                Move.search(domain, order="collection_predicted_date desc, id", limit=1).collection_predicted_date,
                day(20),
            )
        # grouped by collector in the database: the fixture's collector handles customer and customer2
        groups = Move.read_group(domain, ["amount_residual:sum"], ["collection_collector_id"])
        totals = {
            g["collection_collector_id"] and g["collection_collector_id"][0]: g["amount_residual"] for g in groups
        }
        self.assertEqual(totals, {self.collector.id: 1830.0, False: 1815.0}, "615 + 1 215; customer3: 1 815")
        self.assertTrue(Move.fields_get(["collection_predicted_date"])["collection_predicted_date"]["sortable"])
