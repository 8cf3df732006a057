from datetime import UTC, datetime
import re, pytest
from django.test import Client
from django.contrib.auth import get_user_model
from oxyflow.dashboard import demo
from oxyflow.registry import demo as registry_demo
from oxyflow.reporting import demo as report_history
from oxyflow.alerts.models import Alert
from oxyflow.incidents.models import Incident

pytestmark = pytest.mark.django_db
NOW = datetime(2021, 8, 9, 11, 0, tzinfo=UTC)

def text(html):
    html = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", "", html)
    t = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"[ \t]+", " ", re.sub(r"\n\s*\n+", "\n", t))

def test_render():
    registry_demo.load(); report_history.load(now=NOW); demo.load(now=NOW)
    user = get_user_model().objects.get(username="coord.batna")
    a = Alert.objects.first(); i = Incident.objects.first()
    pages = {"dash": "/dashboard/", "alerts": "/alerts/", "roster": "/alerts/on-call/",
             "alert": f"/alerts/{a.pk}/", "incidents": "/incidents/", "incident": f"/incidents/{i.pk}/",
             "newinc": "/incidents/new/", "sitrep": "/sitrep/"}
    for lang in ("fr", "ar", "vi"):
        c = Client(HTTP_ACCEPT_LANGUAGE=lang); c.force_login(user)
        for name, url in pages.items():
            r = c.get(url, follow=True)
            open(f"/tmp/trwork/render/{lang}-{name}.txt", "w").write(f"{r.status_code} {url}\n" + text(r.content.decode()))
            open(f"/tmp/trwork/render/{lang}-{name}.html", "w").write(r.content.decode())
