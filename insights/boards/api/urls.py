from django.urls import path

from . import views

urlpatterns = [
    path("board-views/", views.BoardViewListApi.as_view(), name="board-view-list"),
    path("board-views/<int:view_id>/", views.BoardViewDetailApi.as_view(), name="board-view-detail"),
]
