from . import (
    credit_aging_wizard,
    credit_approval_decision,
    credit_approval_request,
    credit_kpi_wizard,
    credit_statement_wizard,
)
