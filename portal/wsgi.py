import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# The loaded project (about 150,000 objects: modules, classes, URL patterns, translations) lives
# as long as the process. Freezing it keeps it out of the full collections that a page's garbage
# sets off now and then; each of those walked it all and added 50-100 ms to that page.
gc.freeze()
