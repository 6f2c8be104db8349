import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from minsheng.env import require_explicit_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minsheng.settings")
application = get_wsgi_application()
# A production server never runs on the generated development key (docs/deployment.md).
require_explicit_key(debug=settings.DEBUG)
# Nor on ledger keys derived from SECRET_KEY (minsheng/assistance/crypto.py; docs/assistance.md).
from minsheng.assistance.crypto import require_pii_keys  # noqa: E402

require_pii_keys(debug=settings.DEBUG)
