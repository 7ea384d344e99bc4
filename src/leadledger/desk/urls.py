from django.urls import path

from . import views

urlpatterns = [
    path("p/<slug:project>/desk/", views.desk_home, name="desk_home"),
    path("p/<slug:project>/desk/<int:site>/", views.desk, name="desk"),
    path("p/<slug:project>/desk/<int:site>/search/", views.desk_search, name="desk_search"),
    path("p/<slug:project>/desk/<int:site>/register/", views.desk_register, name="desk_register"),
    path("p/<slug:project>/desk/<int:site>/board/", views.desk_board, name="desk_board"),
    path("p/<slug:project>/desk/<int:site>/relation/", views.desk_relation, name="desk_relation"),
    path("p/<slug:project>/desk/<int:site>/board/move/", views.desk_move, name="desk_move"),
    path("p/<slug:project>/desk/<int:site>/correct/<int:seq>/", views.desk_correct, name="desk_correct"),
]

from . import manage, mine, notices, policy_editor  # noqa: E402

urlpatterns += [
    path("p/<slug:project>/me/", mine.mine, name="mine"),
    path("p/<slug:project>/notices/", notices.notices, name="notices"),
    path("p/<slug:project>/notices/badge/", notices.notice_badge, name="notice_badge"),
    path("p/<slug:project>/me/referral/", mine.mine_referral, name="mine_referral"),
    path("p/<slug:project>/me/<int:pk>/contact/", mine.mine_contact, name="mine_contact"),
    path("p/<slug:project>/me/<int:pk>/renewal/", mine.mine_renewal, name="mine_renewal"),
    path("p/<slug:project>/me/status/", mine.mine_status, name="mine_status"),
    path("p/<slug:project>/me/<int:pk>/more/", mine.mine_more, name="mine_more"),
    path("p/<slug:project>/manage/", manage.manage, name="manage"),
    path("p/<slug:project>/manage/queue/", manage.manage_queue, name="manage_queue"),
    path("p/<slug:project>/manage/export/<slug:name>.xlsx", manage.manage_export, name="manage_export"),
    path("p/<slug:project>/manage/renewals/<int:pk>/", manage.manage_renewal, name="manage_renewal"),
    path("p/<slug:project>/manage/departure/", manage.manage_departure, name="manage_departure"),
    path("p/<slug:project>/manage/suspension/", manage.manage_suspension, name="manage_suspension"),
    path("p/<slug:project>/manage/policy/", policy_editor.policy_editor, name="policy_editor"),
    path("p/<slug:project>/manage/policy/preview/", policy_editor.policy_preview, name="policy_preview"),
    path("p/<slug:project>/manage/policy/apply/", policy_editor.policy_apply, name="policy_apply"),
    path("p/<slug:project>/manage/policy/jobs/<int:pk>/", policy_editor.policy_job, name="policy_job"),
    path("p/<slug:project>/customers/<int:pk>/dispute/", manage.dispute, name="dispute"),
    path("p/<slug:project>/customers/<int:pk>/dispute/export.json", manage.dispute_export, name="dispute_export"),
    path(
        "p/<slug:project>/customers/<int:pk>/dispute/events.xlsx",
        manage.dispute_events_export,
        name="dispute_events_export",
    ),
    path("p/<slug:project>/customers/<int:pk>/dispute/ruling/", manage.dispute_ruling, name="dispute_ruling"),
    path("p/<slug:project>/customers/<int:pk>/contest/", manage.dispute_raise, name="dispute_raise"),
    path("p/<slug:project>/relations/<int:pk>/verify/", manage.relation_verify, name="relation_verify"),
]
