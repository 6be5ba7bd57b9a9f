from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    credit_check_at = fields.Selection(
        [
            ("order", "Order confirmation"),
            ("delivery", "Delivery"),
            ("both", "Order confirmation and delivery"),
        ],
        string="Check Credit At",
        default="order",
        required=True,
        help="Where the credit limit, overdue and grade rules stop a customer. A credit hold stops both "
        "the confirmation and the delivery whatever this setting says.",
    )
