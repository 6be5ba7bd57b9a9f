from . import credit_aging_report, credit_aging_xlsx
