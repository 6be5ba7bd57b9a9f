from . import credit_approval_decision, credit_approval_request
