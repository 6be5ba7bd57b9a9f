from . import credit_approval_request
