"""What the credit check says about one order, and the error that refuses it."""

from dataclasses import dataclass, field

from odoo.exceptions import UserError


@dataclass
class CreditVerdict:
    """What the credit check says about one order."""

    exposure: object  # credit.exposure Exposure, before this order (earlier orders of a batch included)
    amount: float  # this order, company currency
    failures: list = field(default_factory=list)  # [(rule code, message)]
    prepaid: float = 0.0  # paid online (authorized or done transactions), company currency
    prepaid_open: float = 0.0  # the part of it whose payment is not posted yet (not in the receivables)

    @property
    def codes(self):
        return {code for code, _msg in self.failures}

    @property
    def credit_amount(self):
        """What this order adds to the exposure: the part not paid online. A posted payment is
        already an unapplied credit in the open receivables, so only unposted ones are deducted."""
        currency = self.exposure.currency
        return currency.round(max(self.amount - self.prepaid_open, 0.0))

    @property
    def fully_paid(self):
        currency = self.exposure.currency
        return (
            currency.compare_amounts(self.amount, 0.0) > 0 and currency.compare_amounts(self.prepaid, self.amount) >= 0
        )


def credit_refusal(message, order):
    """The UserError of a credit refusal, marked with its order. A plain UserError for every caller
    (the web client shows it as a warning); the customer-side flows (online payment, portal
    signature) recognise the mark to keep the quotation instead of failing."""
    error = UserError(message)
    error.credit_order = order
    return error


def refused_order(error):
    """The order a credit refusal was raised for, or None for any other error."""
    return getattr(error, "credit_order", None)
