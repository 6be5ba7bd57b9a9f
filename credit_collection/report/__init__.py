from . import (
    credit_aging_report,
    credit_aging_xlsx,
    credit_provision_xlsx,
    credit_statement,
)
