"""Pages of the open-data room (language-prefixed: /ro/date-deschise/..., /en/open-data/...)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from opendata import algorithms, views

app_name = "opendata"

urlpatterns = [
    path(_("open-data/"), views.index, name="index"),
    path(_("open-data/algorithms/"), algorithms.page, name="algorithms"),
    path(_("open-data/<slug:name>/"), views.dataset_detail, name="dataset"),
]
