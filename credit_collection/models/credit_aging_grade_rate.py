"""Per-grade provision rates: the provision matrix as a (bucket, customer grade) table.

A bucket's own ``provision_rate`` applies to every customer; a row here replaces it for the
customers of one grade (grades belong to one company, so the row does too). Customers without a
grade, and grades without a row, keep the bucket's rate.
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .provision_rate import check_provision_rate


class CreditAgingGradeRate(models.Model):
    _name = "credit.aging.grade.rate"
    _description = "Provision rate of an aging bucket for a customer grade"
    _order = "set_id, bucket_sequence, bucket_id, grade_id"

    set_id = fields.Many2one("credit.aging.bucket.set", "Bucket set", required=True, ondelete="cascade", index=True)
    bucket_id = fields.Many2one(
        "credit.aging.bucket", required=True, ondelete="cascade", domain="[('set_id', '=', set_id)]"
    )
    bucket_sequence = fields.Integer(related="bucket_id.sequence", store=True)
    grade_id = fields.Many2one("credit.grade", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="grade_id.company_id", store=True, index=True)
    rate = fields.Float("Provision rate (%)", digits=(16, 4), required=True)
    bucket_rate = fields.Float(related="bucket_id.provision_rate", string="Rate of the bucket (%)")

    _sql_constraints = [
        ("bucket_grade_uniq", "unique(bucket_id, grade_id)", "A bucket has one provision rate per grade."),
    ]

    @api.constrains("rate")
    def _check_rate(self):
        check_provision_rate(
            self,
            "rate",
            lambda r: r.env._("bucket %(bucket)s for grade %(grade)s", bucket=r.bucket_id.name, grade=r.grade_id.name),
        )

    @api.constrains("set_id", "bucket_id")
    def _check_bucket_in_set(self):
        for line in self:
            if line.bucket_id.set_id != line.set_id:
                raise ValidationError(
                    self.env._(
                        "Bucket %(bucket)s belongs to set %(other)s, not to %(set)s: choose one of the "
                        "buckets of %(set)s.",
                        bucket=line.bucket_id.name,
                        other=line.bucket_id.set_id.name,
                        set=line.set_id.name,
                    )
                )
