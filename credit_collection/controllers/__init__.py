from . import provision_xlsx
