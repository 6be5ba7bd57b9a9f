from . import (
    test_aging,  # issue 5
    test_approval,
    test_credit_check,
    test_exposure,
    test_kpi,  # issue 5
    test_provision,  # issue 5
    test_statement,  # issue 5
)
