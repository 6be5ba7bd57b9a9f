from odoo.addons.account_payment.tests.common import AccountPaymentCommon
from odoo.tools import mute_logger

from .common import CreditCommon


class CreditPaymentCommon(AccountPaymentCommon, CreditCommon):
    """The credit fixture with Odoo's payment test provider (PaymentCommon): a transaction is set
    done, then post-processed as the payment status page does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # PaymentCommon sets its own company and currency: back to the credit fixture's
        cls.company = cls.company_data["company"]
        cls.currency = cls.company.currency_id
        cls.provider.journal_id.inbound_payment_method_line_ids.filtered(
            lambda line: line.payment_provider_id == cls.provider
        ).payment_account_id = cls.inbound_payment_method_line.payment_account_id

    def _pay_online(self, order, amount, ref="1"):
        tx = self._create_transaction(
            flow="redirect",
            sale_order_ids=[order.id],
            amount=amount,
            currency_id=self.currency.id,
            partner_id=order.partner_invoice_id.id,
            reference=f"{order.name}-{ref}",
            state="draft",
        )
        tx._set_done()
        with mute_logger("odoo.addons.sale.models.payment_transaction"):
            tx._post_process()
        return tx
