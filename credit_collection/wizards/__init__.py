from . import credit_approval_decision
from . import credit_approval_request
from . import credit_collection_call_wizard
from . import credit_collection_dispute_wizard
from . import credit_collection_writeoff
from . import credit_aging_wizard
from . import credit_kpi_wizard
from . import credit_statement_wizard
