"""A bare endpoint for the benchmarks' baseline."""

from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class BenchPingApi(APIView):
    """The bare endpoint of benchmarks/intake.py (mounted only with VIGIE_BENCH=1, not in the schema)."""

    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        return Response({"ok": True, "echo": len(request.data)}, status=status.HTTP_201_CREATED)
