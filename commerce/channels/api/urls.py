from django.urls import path

from . import views

urlpatterns = [
    path("channels/", views.ChannelListApi.as_view(), name="channel-list"),
]
