from . import test_exposure
from . import test_credit_check
from . import test_approval
from . import test_ui_credit
from . import test_concurrency
from . import test_packaging
from . import test_query_count
