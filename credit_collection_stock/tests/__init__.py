from . import test_delivery_credit
from . import test_packaging
from . import test_ui_delivery
from . import test_delivery_prepaid
from . import test_delivery_approval
