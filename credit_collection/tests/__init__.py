from . import test_approval, test_credit_check, test_exposure
from . import test_aging  # issue 5
from . import test_provision  # issue 5
from . import test_kpi  # issue 5
from . import test_statement  # issue 5
