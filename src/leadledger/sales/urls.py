from django.urls import path

from . import views

urlpatterns = [
    path("p/<slug:project>/sales/", views.sales_board, name="sales_board"),
    path("p/<slug:project>/sales/units/", views.sales_units_upload, name="sales_units_upload"),
    path("p/<slug:project>/sales/board/", views.sales_board_refresh, name="sales_board_refresh"),
    path("p/<slug:project>/sales/unit/<int:pk>/", views.sales_unit, name="sales_unit"),
    path("p/<slug:project>/sales/unit/<int:pk>/move/", views.sales_unit_move, name="sales_unit_move"),
    path("p/<slug:project>/sales/deal/<int:pk>/", views.sales_deal, name="sales_deal"),
    path("p/<slug:project>/sales/deal/<int:pk>/payment/", views.sales_deal_payment, name="sales_deal_payment"),
    path("p/<slug:project>/sales/deal/<int:pk>/decide/", views.sales_deal_decide, name="sales_deal_decide"),
]
