import gc
import os

from django.apps import apps
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# What the first request of a process would otherwise do: each app's ``warm_up`` (training loads
# the PDF renderer and its fonts for certificates).
for app_config in apps.get_app_configs():
    if hasattr(app_config, "warm_up"):
        app_config.warm_up()

# The loaded project (about 150,000 objects: modules, classes, URL patterns, translations) lives
# as long as the process. Freezing it keeps it out of the full collections that a page's garbage
# sets off now and then; each of those walked it all and added 50-100 ms to that page.
gc.freeze()
