from . import provision_xlsx
from . import aging_xlsx
