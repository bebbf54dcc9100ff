from django.urls import URLPattern, include, path

from peerpath.api import views
from peerpath.api.main import api
from peerpath.core.permissions import api_endpoint

api_patterns, api_app_name, api_namespace = api.urls
for pattern in api_patterns:
    assert isinstance(pattern, URLPattern) and pattern.callback is not None  # ninja lists its endpoints flat
    api_endpoint(pattern.callback)

token_patterns = (
    [
        path("", views.token_list, name="list"),
        path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
    ],
    "api_tokens",
)

urlpatterns = [
    path("api/v1/", include((api_patterns, api_app_name), namespace=api_namespace)),
    path("account/api-tokens/", include(token_patterns)),
]
