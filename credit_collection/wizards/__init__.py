from . import credit_approval_decision, credit_approval_request
from . import credit_aging_wizard, credit_kpi_wizard, credit_statement_wizard  # issue 5
