from . import (
    account_move,
    credit_approval,
    credit_exposure,
    credit_partner_lock,
    res_company,
    res_config_settings,
    res_partner,
    sale_order,
)
from . import credit_aging_bucket_set, credit_aging_engine, credit_provision_run, credit_provision_specific  # issue 5
