"""The one check of a provision rate (%): bucket rates, rates per grade, specific provisions and the
company's legal-case rate all lie between 0 and 100 %."""

from odoo.exceptions import ValidationError


def check_provision_rate(records, field_name, describe):
    """Refuse any record whose `field_name` lies outside 0-100 %; `describe(record)` names it in the
    message (a translated phrase such as "bucket 31-60")."""
    for record in records:
        rate = record[field_name]
        if not 0 <= rate <= 100:
            raise ValidationError(
                record.env._(
                    "The provision rate of %(what)s is %(rate)s %%: it must lie between 0 and 100 %%. "
                    "Enter a rate from 0 to 100.",
                    what=describe(record),
                    rate=rate,
                )
            )
