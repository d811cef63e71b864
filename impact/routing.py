"""Every app's WebSocket routes, as impact/urls.py gathers their pages."""

from groups.meetings.routing import websocket_urlpatterns as meeting_sockets

websocket_urlpatterns = [*meeting_sockets]
