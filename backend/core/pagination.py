from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """DRF's `{"count", "next", "previous", "results"}`, with a client-chosen page size up to 100."""

    page_size_query_param = "page_size"
    max_page_size = 100
