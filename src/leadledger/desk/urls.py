from django.urls import path

from . import views

urlpatterns = [
    path("p/<slug:project>/desk/", views.desk_home, name="desk_home"),
    path("p/<slug:project>/desk/<int:site>/", views.desk, name="desk"),
    path("p/<slug:project>/desk/<int:site>/search/", views.desk_search, name="desk_search"),
    path("p/<slug:project>/desk/<int:site>/register/", views.desk_register, name="desk_register"),
    path("p/<slug:project>/desk/<int:site>/board/", views.desk_board, name="desk_board"),
    path("p/<slug:project>/desk/<int:site>/board/move/", views.desk_move, name="desk_move"),
]
