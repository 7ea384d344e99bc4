from django.urls import path

from . import views

urlpatterns = [
    path("p/<slug:project>/agent/", views.agent_home, name="agent_home"),
    path("p/<slug:project>/agent/register/", views.agent_register, name="agent_register"),
]
