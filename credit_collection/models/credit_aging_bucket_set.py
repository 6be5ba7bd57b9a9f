"""Aging bucket sets: a named list of contiguous buckets over an integer age.

The age of an open item is an integer in the set's unit (see credit.aging.engine):
- ``days``: days past due (basis "due") or days since the invoice date (basis "invoice");
- ``years``: started years since the invoice date (1 = up to one full year, 2 = more than one
  and up to two years, ...), the Chinese 账龄 practice.
A bucket holds the ages ``min_value <= age <= max_value``; an empty bound is open. The buckets of
a set must cover every integer exactly once (first bucket open below, last open above, each
bucket starting right after the previous one ends), so the columns of a report always add up
to its total.
"""

from itertools import pairwise

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .parent_write import not_writing, parent_writing
from .provision_rate import check_provision_rate


class CreditAgingBucketSet(models.Model):
    _name = "credit.aging.bucket.set"
    _description = "Aging bucket set"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    unit = fields.Selection(
        [("days", "Days"), ("years", "Years since invoice")],
        required=True,
        default="days",
        help="Days: days past due (or since the invoice date). Years: started years since the invoice date.",
    )
    basis = fields.Selection(
        [("due", "Days past due"), ("invoice", "Age since invoice date")],
        required=True,
        default="due",
        help="Default basis of reports run with this set (years are always counted from the invoice date).",
    )
    bucket_ids = fields.One2many("credit.aging.bucket", "set_id", string="Buckets", copy=True)
    grade_rate_ids = fields.One2many(
        "credit.aging.grade.rate",
        "set_id",
        string="Rates per grade",
        help="Provision rates replacing a bucket's rate for the customers of one grade.",
    )

    def write(self, vals):
        # buckets written through their set are checked together once, by the constraint below
        with parent_writing(self):
            return super().write(vals)

    @api.constrains("bucket_ids", "unit")
    def _check_buckets(self):
        for bucket_set in self:
            buckets = bucket_set.bucket_ids.sorted(lambda b: (b.has_min, b.min_value, b.id))
            if not buckets:
                continue
            problems = []
            if buckets[0].has_min:
                problems.append(self.env._("the first bucket %(name)s must have no lower bound", name=buckets[0].name))
            if buckets[-1].has_max:
                problems.append(self.env._("the last bucket %(name)s must have no upper bound", name=buckets[-1].name))
            for prev, nxt in pairwise(buckets):
                if not prev.has_max or not nxt.has_min or nxt.min_value != prev.max_value + 1:
                    problems.append(
                        self.env._(
                            "%(prev)s (up to %(prev_max)s) and %(next)s (from %(next_min)s) must meet: "
                            "the next bucket starts at the previous upper bound + 1",
                            prev=prev.name,
                            prev_max=prev.max_value if prev.has_max else "∞",
                            next=nxt.name,
                            next_min=nxt.min_value if nxt.has_min else "-∞",
                        )
                    )
            if problems:
                raise ValidationError(
                    self.env._(
                        "Bucket set %(set)s has gaps or overlaps: %(problems)s.",
                        set=bucket_set.name,
                        problems="; ".join(problems),
                    )
                )


class CreditAgingBucket(models.Model):
    _name = "credit.aging.bucket"
    _description = "Aging bucket"
    _order = "set_id, sequence, id"

    set_id = fields.Many2one("credit.aging.bucket.set", required=True, ondelete="cascade", index=True)
    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    has_min = fields.Boolean("Lower bound", default=True)
    min_value = fields.Integer("From", help="Smallest age in the bucket (inclusive).")
    has_max = fields.Boolean("Upper bound", default=True)
    max_value = fields.Integer("To", help="Largest age in the bucket (inclusive).")
    provision_rate = fields.Float(
        "Provision rate (%)",
        digits=(16, 4),
        help="Expected credit loss rate of the provision matrix for this bucket (0-100).",
    )
    is_current = fields.Boolean(
        compute="_compute_is_current", store=True, help="Not yet due: the bucket holds no positive age."
    )

    _sql_constraints = [
        (
            "bounds_order",
            "CHECK (NOT has_min OR NOT has_max OR min_value <= max_value)",
            "A bucket's lower bound cannot exceed its upper bound.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        buckets = super().create(vals_list)
        # a bucket created on its own (RPC, import) must leave its set without gaps; the buckets of
        # a new set are created in one batch, so the set is checked complete
        not_writing(buckets.set_id)._check_buckets()
        return buckets

    def write(self, vals):
        sets = self.set_id
        res = super().write(vals)
        if {
            "set_id",
            "has_min",
            "min_value",
            "has_max",
            "max_value",
        } & set(vals):
            not_writing(sets | self.set_id)._check_buckets()
        return res

    def unlink(self):
        sets = self.set_id
        res = super().unlink()
        not_writing(sets.exists())._check_buckets()
        return res

    @api.depends("has_max", "max_value")
    def _compute_is_current(self):
        for bucket in self:
            bucket.is_current = bucket.has_max and bucket.max_value <= 0

    @api.constrains("provision_rate")
    def _check_provision_rate(self):
        check_provision_rate(self, "provision_rate", lambda b: b.env._("bucket %(name)s", name=b.name))
