# collection stages (issue 4)
from . import (
    credit_approval_decision,
    credit_approval_request,
    credit_collection_call_wizard,
    credit_collection_dispute_wizard,
    credit_collection_writeoff,
)
