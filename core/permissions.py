from rest_framework.permissions import SAFE_METHODS, BasePermission


class UnderwriterWrites(BasePermission):
    """Anyone authenticated may read what their selector shows; underwriters write."""

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            return True
        return request.user.is_underwriter or request.user.is_superuser
