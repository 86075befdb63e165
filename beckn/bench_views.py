"""A bare DRF view returning the same ACK, mounted only with BECKN_BENCH_VIEWS (bench)."""

from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response

from beckn.protocol.errors import ack


@api_view(["POST"])
@authentication_classes([])
@permission_classes([])
def bare_ack(request):
    return Response(ack())
