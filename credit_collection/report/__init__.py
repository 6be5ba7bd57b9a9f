from . import credit_aging_report, credit_aging_xlsx
from . import credit_provision_xlsx  # issue 5
from . import credit_statement  # issue 5
