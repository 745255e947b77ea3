"""Pages of the budgeting room (language-prefixed: /ro/buget-participativ/..., /en/budgeting/...)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from budgeting import views
from core.legacy_urls import english_paths_redirect

app_name = "budgeting"

urlpatterns = [
    path(_("budgeting/"), views.index, name="index"),
    path(_("budgeting/import/"), views.import_edition, name="import"),
    path(_("budgeting/<slug:slug>/"), views.edition_detail, name="edition"),
    path(_("budgeting/<slug:slug>/projects/"), views.project_list, name="projects"),
    path(_("budgeting/<slug:slug>/projects/<int:number>/"), views.project_detail, name="project"),
    path(_("budgeting/<slug:slug>/projects/<int:number>/edit/"), views.edit_project, name="edit_project"),
    path(_("budgeting/<slug:slug>/projects/<int:number>/photos/"), views.add_photo, name="add_photo"),
    path(_("budgeting/<slug:slug>/projects/<int:number>/withdraw/"), views.withdraw, name="withdraw"),
    path(_("budgeting/<slug:slug>/projects/<int:number>/support/"), views.support, name="support"),
    path(_("budgeting/<slug:slug>/projects/<int:number>/comments/"), views.comment, name="comment"),
    path(_("budgeting/<slug:slug>/propose/"), views.propose, name="propose"),
    path(_("budgeting/<slug:slug>/vote/"), views.vote, name="vote"),
    path(_("budgeting/<slug:slug>/vote/code/"), views.vote_with_code, name="vote_code"),
    path(_("budgeting/<slug:slug>/results/"), views.results, name="results"),
    path(_("budgeting/<slug:slug>/review/"), views.review_list, name="review_list"),
    path(_("budgeting/<slug:slug>/review/<int:number>/"), views.review, name="review"),
    path(_("budgeting/<slug:slug>/paper/"), views.paper_ballot, name="paper"),
    path(_("budgeting/<slug:slug>/manage/"), views.manage, name="manage"),
    # The English addresses under /ro/ that served these pages before (bookmarks, printed vote codes'
    # links, open-data landing pages): 301 to the translated ones.
    english_paths_redirect("budgeting/"),
]
