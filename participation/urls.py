"""Pages of the participation room (language-prefixed: /ro/participare/..., /en/participation/...). The
language-free calendar feed (/participation/events.ics) is in public_urls.py, the same in every language."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.legacy_urls import english_paths_redirect
from participation.views import consultations, events, groups, opinion, processes, proposals

app_name = "participation"

urlpatterns = [
    path(_("participation/"), processes.index, name="index"),
    path(_("participation/processes/"), processes.process_list, name="processes"),
    path(_("participation/processes/<slug:slug>/"), processes.process_detail, name="process"),
    path(_("participation/consultations/"), consultations.consultation_list, name="consultations"),
    path(_("participation/consultations/<slug:slug>/"), consultations.consultation_detail, name="consultation"),
    path(_("participation/consultations/<slug:slug>/results/"), consultations.consultation_results, name="results"),
    path(_("participation/consultations/<slug:slug>/results.csv"), consultations.results_csv, name="results_csv"),
    path(_("participation/consultations/<slug:slug>/responses.csv"), consultations.responses_csv,
         name="responses_csv"),
    path(_("participation/consultations/<slug:slug>/questions/<int:question_id>/themes/"), consultations.themes,
         name="themes"),
    path(_("participation/consultations/<slug:slug>/questions/<int:question_id>/themes/queue/"),
         consultations.start_analysis, name="themes_queue"),
    path(_("participation/proposals/"), proposals.proposal_list, name="proposals"),
    path(_("participation/proposals/new/"), proposals.proposal_new, name="proposal_new"),
    path(_("participation/proposals/<int:pk>/"), proposals.proposal_detail, name="proposal"),
    path(_("participation/proposals/<int:pk>/support/"), proposals.proposal_support, name="proposal_support"),
    path(_("participation/proposals/<int:pk>/answer/"), proposals.proposal_answer, name="proposal_answer"),
    path(_("participation/proposals/<int:pk>/withdraw/"), proposals.proposal_withdraw, name="proposal_withdraw"),
    path(_("participation/proposals/<int:pk>/moderate/"), proposals.proposal_moderate, name="proposal_moderate"),
    path(_("participation/comments/<int:pk>/flag/"), proposals.comment_flag, name="comment_flag"),
    path(_("participation/comments/<int:pk>/moderate/"), proposals.comment_moderate, name="comment_moderate"),
    path(_("participation/comments/<str:kind>/<str:pk>/"), proposals.comment_add, name="comment_add"),
    path(_("participation/follow/<str:kind>/<str:pk>/"), proposals.follow, name="follow"),
    path(_("participation/notifications/"), proposals.notifications, name="notifications"),
    path(_("participation/organisations/"), groups.organisation_list, name="organisations"),
    path(_("participation/organisations/new/"), groups.organisation_new, name="organisation_new"),
    path(_("participation/organisations/<slug:slug>/"), groups.organisation_detail, name="organisation"),
    path(_("participation/groups/"), groups.group_list, name="groups"),
    path(_("participation/groups/<slug:slug>/"), groups.group_detail, name="group"),
    path(_("participation/groups/<slug:slug>/manage/"), groups.group_manage, name="group_manage"),
    path(_("participation/groups/<slug:slug>/membership/"), groups.group_leave, name="group_membership"),
    path(_("participation/groups/<slug:slug>/documents/<int:pk>/"), groups.group_document, name="group_document"),
    path(_("participation/events/"), events.event_list, name="events"),
    path(_("participation/events/<slug:slug>/"), events.event_detail, name="event"),
    path(_("participation/events/<slug:slug>/register/"), events.event_register, name="event_register"),
    path(_("participation/events/<slug:slug>/outcomes/"), events.event_outcomes, name="event_outcomes"),
    path(_("participation/events/<slug:slug>/event.ics"), events.event_ics, name="event_ics"),
    path(_("participation/opinion/<slug:slug>/"), opinion.conversation_detail, name="conversation"),
    path(_("participation/opinion/<slug:slug>/vote/"), opinion.conversation_vote, name="conversation_vote"),
    path(_("participation/opinion/<slug:slug>/map/"), opinion.conversation_map, name="conversation_map"),
    path(_("participation/opinion/<slug:slug>/statements/<int:pk>/moderate/"), opinion.statement_moderate,
         name="statement_moderate"),
    # The English addresses under /ro/ that served these pages before (bookmarks, printed links, links in
    # e-mails already sent): 301 to the translated ones, query kept.
    english_paths_redirect("participation/"),
]
