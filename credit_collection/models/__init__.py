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
from . import (  # issue 5
    credit_aging_bucket_set,
    credit_aging_engine,
    credit_collection_target,
    credit_kpi,
    credit_overview,
    credit_provision_run,
    credit_provision_specific,
)
