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
]

from . import manage, mine  # noqa: E402

urlpatterns += [
    path("p/<slug:project>/me/", mine.mine, name="mine"),
    path("p/<slug:project>/me/referral/", mine.mine_referral, name="mine_referral"),
    path("p/<slug:project>/me/<int:pk>/contact/", mine.mine_contact, name="mine_contact"),
    path("p/<slug:project>/me/<int:pk>/renewal/", mine.mine_renewal, name="mine_renewal"),
    path("p/<slug:project>/manage/", manage.manage, name="manage"),
    path("p/<slug:project>/manage/renewals/<int:pk>/", manage.manage_renewal, name="manage_renewal"),
    path("p/<slug:project>/manage/departure/", manage.manage_departure, name="manage_departure"),
    path("p/<slug:project>/manage/suspension/", manage.manage_suspension, name="manage_suspension"),
    path("p/<slug:project>/manage/policy/", manage.manage_policy, name="manage_policy"),
    path("p/<slug:project>/manage/what-if/", manage.manage_what_if, name="manage_what_if"),
    path("p/<slug:project>/manage/jobs/", manage.manage_jobs, name="manage_jobs"),
    path("p/<slug:project>/customers/<int:pk>/dispute/", manage.dispute, name="dispute"),
    path("p/<slug:project>/customers/<int:pk>/dispute/export.json", manage.dispute_export, name="dispute_export"),
    path("p/<slug:project>/customers/<int:pk>/dispute/ruling/", manage.dispute_ruling, name="dispute_ruling"),
    path("p/<slug:project>/relations/<int:pk>/verify/", manage.relation_verify, name="relation_verify"),
]
