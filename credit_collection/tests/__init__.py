from . import test_approval, test_credit_check, test_exposure
from . import test_aging  # issue 5
