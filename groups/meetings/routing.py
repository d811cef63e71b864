"""The meetings' WebSocket routes (gathered by impact/routing.py)."""

from django.urls import path

from groups.meetings.consumers import RoomConsumer

websocket_urlpatterns = [
    path("ws/meetings/<int:pk>/room/", RoomConsumer.as_asgi()),
]
