from . import credit_collection_worklist
from . import credit_aging_report
from . import credit_aging_xlsx
from . import credit_cashin_forecast
from . import credit_provision_xlsx
from . import credit_statement
from . import credit_customer_report
