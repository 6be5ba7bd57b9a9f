from . import controllers, models, report, wizards
from .hooks import post_init_hook, uninstall_hook
